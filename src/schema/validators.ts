import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/** A calendar date `YYYY-MM-DD` that exists and is not in the future. */
export function IsPastDate(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isPastDate',
      target: object.constructor,
      propertyName,
      options: { message: (a: ValidationArguments) => `${a.property} must be a real date YYYY-MM-DD, not in the future`, ...options },
      validator: {
        validate(value: unknown) {
          if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
          const d = new Date(`${value}T00:00:00Z`);
          if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value) return false;
          return value >= '1900-01-01' && value <= new Date().toISOString().slice(0, 10);
        },
      },
    });
}
