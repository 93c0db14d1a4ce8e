import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { validatorCompiler as zodValidatorCompiler } from 'fastify-type-provider-zod';
import { z, type ZodType } from 'zod';
import { CONTROL_CHARS } from '../../common/schemas/common';

/**
 * Every name and string value of a query string, a path or a JSON body (at any depth), before the
 * route's own schema: a control character (a NUL that PostgreSQL refuses, an escape code for the
 * logs) is a validation issue. Walked with a stack, not recursion, so no nesting depth can throw.
 */
const NoControlChars = z.unknown().superRefine((data, ctx) => {
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value: data, path: [] }];
  while (pending.length > 0) {
    const { value, path } = pending.pop()!;
    if (typeof value === 'string') {
      if (CONTROL_CHARS.test(value))
        ctx.addIssue({ code: 'custom', message: 'validation.noControlChars', path, input: value });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, path: [...path, index] }));
    } else if (typeof value === 'object' && value !== null) {
      for (const [name, item] of Object.entries(value)) {
        if (CONTROL_CHARS.test(name))
          ctx.addIssue({ code: 'custom', message: 'validation.noControlChars', path, input: name });
        else pending.push({ value: item, path: [...path, name] });
      }
    }
  }
});

/**
 * The Zod validator compiler with one rule for every string a request carries (as `text()` says
 * for body fields, but also where a schema forgot it): control characters → 400
 * VALIDATION_FAILED, whatever the route's schema says. It runs as validation does — after
 * authorization — and nothing reaches a service.
 */
export const validatorCompiler: FastifySchemaCompiler<ZodType> = (route) => {
  const validate = zodValidatorCompiler(route);
  if (route.httpPart !== 'querystring' && route.httpPart !== 'params' && route.httpPart !== 'body') return validate;
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
