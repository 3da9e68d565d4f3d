import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, MAX_IDEMPOTENCY_KEY_LENGTH, statusOfErrorCode } from '@tradetally/contracts';
import type { OpenAPIObject } from '@nestjs/swagger';

type Operation = NonNullable<OpenAPIObject['paths'][string]['post']>;

/**
 * Documents `Idempotency-Key` on every POST of the document: the request header, the replay
 * header on the success answer, and the two problems (409 idempotency_in_progress, 422
 * idempotency_key_reused) beside the route's own.
 */
export function documentIdempotency(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    const operation: Operation | undefined = item.post;
    // Routes without credentials do not keep answers (IdempotencyInterceptor).
    if (!operation || operation.security?.length === 0) continue;
    operation.parameters = [
      ...(operation.parameters ?? []),
      {
        name: IDEMPOTENCY_KEY_HEADER,
        in: 'header',
        required: false,
        description:
          'A fresh key (a UUID) per write; the same key with the same request within 24 hours answers the first answer again (Idempotent-Replayed: true) instead of writing twice.',
        schema: { type: 'string', minLength: 1, maxLength: MAX_IDEMPOTENCY_KEY_LENGTH, pattern: '^[\\x21-\\x7e]+$' },
      },
    ];
    for (const [status, response] of Object.entries(operation.responses)) {
      if (!response || !/^2\d\d$/.test(status) || '$ref' in response) continue;
      response.headers = {
        ...response.headers,
        [IDEMPOTENT_REPLAYED_HEADER]: {
          description: 'true when this is the kept answer of an earlier request with the same Idempotency-Key',
          schema: { type: 'string', enum: ['true'] },
        },
      };
    }
    for (const code of ['idempotency_in_progress', 'idempotency_key_reused'] as const) {
      const status = String(statusOfErrorCode(code));
      const response = operation.responses[status];
      if (response && !('$ref' in response)) {
        response.description = `${response.description}, ${code}`;
      } else {
        const problem = Object.values(operation.responses).find((r) => r && !('$ref' in r) && r.content?.['application/problem+json']);
        operation.responses[status] = {
          description: `Problem details; code: ${code}`,
          ...(problem && !('$ref' in problem) ? { content: problem.content } : {}),
        };
      }
    }
  }
}
