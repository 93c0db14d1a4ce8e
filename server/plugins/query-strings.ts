import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z, type ZodType } from 'zod';
import { CONTROL_CHARS } from '../../common/schemas/common';

/**
 * Every name and value of a query string or path, before the route's own schema: a control
 * character (a NUL that PostgreSQL refuses, an escape code for the logs) is a validation issue.
 */
const NoControlChars = z.unknown().superRefine((data, ctx) => {
  if (typeof data !== 'object' || data === null) return;
  for (const [name, value] of Object.entries(data)) {
    if (CONTROL_CHARS.test(name)) {
      ctx.addIssue({ code: 'custom', message: 'validation.noControlChars', path: [], input: name });
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      if (typeof item === 'string' && CONTROL_CHARS.test(item)) {
        ctx.addIssue({ code: 'custom', message: 'validation.noControlChars', path: [name], input: item });
        break;
      }
    }
  }
});

/**
 * The Zod validator compiler with one rule for every string in a query string or a path (as
 * `text()` is for bodies): control characters → 400 VALIDATION_FAILED, whatever the route's
 * schema says. It runs as validation does — after authorization — and nothing reaches a service.
 */
export const validatorCompiler: FastifySchemaCompiler<ZodType> = (route) => {
  const validate = zodValidatorCompiler(route);
  if (route.httpPart !== 'querystring' && route.httpPart !== 'params') return validate;
  const guard = zodValidatorCompiler({ ...route, schema: NoControlChars });
  return (data) => {
    const checked = guard(data);
    return typeof checked === 'object' && 'error' in checked && checked.error ? checked : validate(data);
  };
};

const NoParameters = z.strictObject({});

/**
 * Unknown query parameters are refused everywhere, not silently ignored: every documented route
 * without a query schema (or without any schema) gets an empty strict one; the list schemas are
 * strict objects already. Routes left out of the API document (the docs, the web app, the
 * calendar feed that calendar programs may decorate with parameters) keep their own rules.
 */
export function registerStrictQueryStrings(app: FastifyInstance) {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { hide?: boolean; querystring?: unknown } | undefined;
    if (schema?.hide || schema?.querystring) return;
    route.schema = { ...schema, querystring: NoParameters };
  });
}
