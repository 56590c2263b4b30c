/** Moved to access/fieldGuard.ts; this name stays for code written against it. */
export { accessSubject, canReadField, defaultFieldGuard, FieldGuard } from './access/fieldGuard';
