import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { HttpProblem, type ProblemKind } from '../problems.js';

/** Every error leaves as application/problem+json; this is the only place that maps them. */
export default fp(async function errors(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    reply
      .status(problem.status)
      .type('application/problem+json')
      .headers(problem.status === 401 ? { 'www-authenticate': 'Bearer' } : {})
      .send(problem.toBody(request.url.split('?')[0]));
  });

  app.setNotFoundHandler((request, reply) => {
    reply
      .status(404)
      .type('application/problem+json')
      .send(new HttpProblem('not-found', `No route ${request.method} ${request.url.split('?')[0]}`).toBody());
  });
});

const BY_CODE: Record<string, ProblemKind> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_REQ_FILE_TOO_LARGE: 'payload-too-large',
  FST_FILES_LIMIT: 'payload-too-large',
  FST_PARTS_LIMIT: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'validation-error',
  FST_ERR_CTP_INVALID_JSON_BODY: 'validation-error',
};

function toProblem(error: FastifyError): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => ({
      path: `${error.validationContext ?? 'body'}${v.instancePath.replaceAll('/', '.')}`,
      reason: v.message ?? 'invalid',
    }));
    return new HttpProblem('validation-error', errors.map((e) => `${e.path}: ${e.reason}`).join('; '), { errors });
  }
  if (isResponseSerializationError(error)) return new HttpProblem('internal');
  if (error.code?.startsWith('FST_JWT_') || error.code === 'FAST_JWT_INVALID_SIGNATURE') {
    return new HttpProblem('unauthorized', 'A valid bearer token is required');
  }
  const kind = error.code ? BY_CODE[error.code] : undefined;
  if (kind) return new HttpProblem(kind, error.message);
  const status = error.statusCode ?? 500;
  if (status === 401) return new HttpProblem('unauthorized', error.message);
  if (status >= 400 && status < 500) return new HttpProblem('validation-error', error.message);
  return new HttpProblem('internal');
}
