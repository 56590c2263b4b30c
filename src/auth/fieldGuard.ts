/** Moved to access/fieldGuard.ts; this name stays for code written against it. */
export { accessSubject, canReadField, guardRecordFields, FieldGuard } from './access/fieldGuard';
