import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ERROR_STATUS, type ErrorCode } from '../../common/errors';
import { isMessageKey, translate, type Locale, type MessageKey } from '../../common/i18n';
import { AppError, isUniqueViolation } from '../errors';

type Issue = { keyword: string; instancePath: string; message: string; params: Record<string, unknown> };

/** Turns a Zod issue into a localised message; custom refinements carry an i18n key as message. */
function issueMessage(locale: Locale, issue: Issue): string {
  const p = issue.params;
  const t = (key: MessageKey, params?: Record<string, unknown>) => translate(locale, key, params);
  switch (issue.keyword) {
    case 'invalid_type':
      return /received undefined/.test(issue.message) ? t('validation.required') : t('validation.type', { expected: p.expected });
    case 'too_small':
      if (p.origin === 'string') return t('validation.tooShort', { minimum: p.minimum });
      if (p.origin === 'array') return t('validation.tooFewItems', { minimum: p.minimum });
      return t('validation.tooSmall', { minimum: p.minimum });
    case 'too_big':
      if (p.origin === 'string') return t('validation.tooLong', { maximum: p.maximum });
      if (p.origin === 'array') return t('validation.tooManyItems', { maximum: p.maximum });
      return t('validation.tooBig', { maximum: p.maximum });
    case 'invalid_format':
      return isMessageKey(issue.message) ? t(issue.message) : t('validation.format', { format: p.format });
    case 'unrecognized_keys':
      return t('validation.unknownFields', { keys: (p.keys as string[]).join(', ') });
    case 'invalid_value':
      return t('validation.enum', { values: (p.values as unknown[]).join(', ') });
    default:
      return isMessageKey(issue.message) ? t(issue.message) : t('validation.invalid');
  }
}

function send(request: FastifyRequest, code: ErrorCode, params: Record<string, unknown>, details?: unknown, messageKey: MessageKey = `error.${code}`) {
  const locale = request.locale;
  const resolved = { ...params };
  if (typeof params.fieldKey === 'string' && isMessageKey(params.fieldKey)) resolved.field = translate(locale, params.fieldKey);
  return {
    status: ERROR_STATUS[code],
    body: { error: { code, message: translate(locale, messageKey, resolved), ...(details === undefined ? {} : { details }) } },
  };
}

/** Maps every failure to `{ error: { code, message, details } }` in the caller's language. */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    let out;
    if (error instanceof AppError) {
      out = send(request, error.code, error.params, error.details);
    } else if (hasZodFastifySchemaValidationErrors(error)) {
      const issues = (error.validation as unknown as Issue[]).map((issue) => ({
        path: `${error.validationContext ?? 'body'}${issue.instancePath.replaceAll('/', '.')}`.replace(/\.$/, ''),
        code: issue.keyword,
        message: issueMessage(request.locale, issue),
      }));
      out = send(request, 'VALIDATION_FAILED', {}, { issues });
    } else if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || (error.statusCode === 400 && error instanceof SyntaxError)) {
      out = send(request, 'INVALID_JSON', {});
    } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || error.code === 'FST_FILES_LIMIT' || error.code === 'FST_PARTS_LIMIT' || error.code === 'FST_FIELDS_LIMIT') {
      out = send(request, 'PAYLOAD_TOO_LARGE', {});
    } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
      out = send(request, 'UNSUPPORTED_MEDIA_TYPE', {});
    } else if (isUniqueViolation(error)) {
      // A race past the service's own check: the unique index caught it.
      out = send(request, 'DUPLICATE_VALUE', {}, undefined, 'error.DUPLICATE_VALUE.generic');
    } else if (error.statusCode && error.statusCode < 500 && !isResponseSerializationError(error)) {
      out = send(request, 'VALIDATION_FAILED', {}, { reason: error.message });
    } else {
      request.log.error({ err: error }, 'unhandled error');
      out = send(request, 'INTERNAL_ERROR', { requestId: request.id });
    }
    return reply.status(out.status).send(out.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const out = send(request, 'ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] });
    return reply.status(out.status).send(out.body);
  });
}
