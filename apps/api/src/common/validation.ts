import type { z } from 'zod';
import { ApiError } from './api-error.js';

/**
 * Parses `value` with a contracts schema; a failure is a 400 validation_failed listing each field.
 * `@Input()` (http/route.ts) calls it with the schema the route's `@Route` declares, so the
 * contracts' schemas are used as they are (no DTO class written beside each), the field errors are
 * the API's own `errors` shape, and the OpenAPI document comes from the same schemas.
 */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, where = 'body'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw ApiError.fromZod(result.error, where);
  return result.data;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A path id that is not a UUID names nothing: 404, the same as an id that does not exist. */
export function parseId(id: string): string {
  if (!UUID.test(id)) throw new ApiError('not_found');
  return id.toLowerCase();
}
