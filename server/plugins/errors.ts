import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { ERROR_STATUS, type ErrorCode } from '../../common/errors';
import { isMessageKey, negotiateLocale, translate, type MessageKey } from '../../common/i18n';
import { issueMessage } from '../lib/issues';
import { AppError, isUniqueViolation } from '../errors';

type FastifyIssue = { keyword: string; instancePath: string; message: string; params: Record<string, unknown> };

function send(
  request: FastifyRequest,
  code: ErrorCode,
  params: Record<string, unknown>,
  details?: unknown,
  messageKey: MessageKey = `error.${code}`,
) {
  const locale = request.locale;
  // A parameter named `<x>Key` holding a message key is shown translated as `<x>` (e.g. fieldKey → field), filled
  // with the other parameters (reasonKey 'contractTemplate.problem.unclosedTag' with tag).
  const resolved = { ...params };
  for (const [name, value] of Object.entries(params)) {
    if (name.endsWith('Key') && typeof value === 'string' && isMessageKey(value))
      resolved[name.slice(0, -3)] = translate(locale, value, params);
  }
  return {
    status: ERROR_STATUS[code],
    body: {
      error: { code, message: translate(locale, messageKey, resolved), ...(details === undefined ? {} : { details }) },
    },
  };
}

/** Any failure as `{ status, body: { error: { code, message, details } } }` in the caller's language (also for errors inside a streamed answer). */
export function errorAnswer(request: FastifyRequest, thrown: unknown) {
  const error = thrown as FastifyError;
  let out;
  if (error instanceof AppError) {
    out = send(request, error.code, error.params, error.details);
  } else if (!(thrown instanceof Error)) {
    request.log.error({ err: error }, 'unhandled error');
    out = send(request, 'INTERNAL_ERROR', { requestId: request.id });
  } else if (hasZodFastifySchemaValidationErrors(error)) {
    const issues = (error.validation as unknown as FastifyIssue[]).map((issue) => ({
      path: `${error.validationContext ?? 'body'}${issue.instancePath.replaceAll('/', '.')}`.replace(/\.$/, ''),
      code: issue.keyword,
      message: issueMessage(request.locale, { ...issue.params, code: issue.keyword, message: issue.message }),
    }));
    out = send(request, 'VALIDATION_FAILED', {}, { issues });
  } else if (
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    (error.statusCode === 400 && error instanceof SyntaxError)
  ) {
    out = send(request, 'INVALID_JSON', {});
  } else if (
    error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ||
    error.code === 'FST_FILES_LIMIT' ||
    error.code === 'FST_PARTS_LIMIT' ||
    error.code === 'FST_FIELDS_LIMIT'
  ) {
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
  return out;
}

/**
 * Failures of the router itself, before any hook (an address that is not valid percent-encoding,
 * a parameter too long): the same error body in the caller's language (Fastify's `frameworkErrors`).
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  request.locale = negotiateLocale(request.headers['accept-language']);
  const out = errorAnswer(request, error);
  return reply.status(out.status).send(out.body);
}

/** Maps every failure to `{ error: { code, message, details } }` in the caller's language. */
export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const out = errorAnswer(request, error);
    if (error instanceof AppError && error.retryAfterSeconds)
      reply.header('retry-after', String(error.retryAfterSeconds));
    return reply.status(out.status).send(out.body);
  });

  app.setNotFoundHandler((request, reply) => {
    const out = send(request, 'ROUTE_NOT_FOUND', { method: request.method, url: request.url.split('?')[0] });
    return reply.status(out.status).send(out.body);
  });
}
