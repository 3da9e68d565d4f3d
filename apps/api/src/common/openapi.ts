import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { type ErrorCode, ProblemDetailsSchema, statusOfErrorCode } from '@tradetally/contracts';
import { z } from 'zod';

/** An OpenAPI schema object, as @nestjs/swagger types it (its interfaces are not exported). */
type SchemaObject = Extract<Parameters<typeof ApiResponse>[0], { schema: unknown }>['schema'];

/** A contracts schema as an OpenAPI 3.0 schema: the docs describe exactly what the code validates. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  return z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any' }) as SchemaObject;
}

const PROBLEM = openApiSchema(ProblemDetailsSchema);

/** What a route takes and answers, for the OpenAPI document at /docs. */
export interface ContractOptions {
  tag: string;
  summary: string;
  body?: z.ZodType;
  /** Other request bodies the route takes, by media type (e.g. `text/csv`). */
  extraBodies?: Record<string, SchemaObject>;
  query?: z.ZodObject;
  status?: number;
  response?: z.ZodType;
  errors?: ErrorCode[];
  /** False on routes that take no credentials. */
  auth?: boolean;
}

/** Describes a route in the OpenAPI document from the contracts' zod schemas. */
export function ApiContract(options: ContractOptions): MethodDecorator {
  const decorators: Array<ClassDecorator | MethodDecorator | PropertyDecorator> = [
    ApiTags(options.tag),
    ApiOperation({ summary: options.summary }),
  ];
  if (options.auth !== false) decorators.push(ApiBearerAuth());
  if (options.body) {
    const content: Record<string, { schema: SchemaObject }> = { 'application/json': { schema: openApiSchema(options.body, 'input') } };
    for (const [type, schema] of Object.entries(options.extraBodies ?? {})) content[type] = { schema };
    decorators.push(ApiBody({ required: true, schema: content['application/json']!.schema, ...(options.extraBodies ? { content } : {}) }));
  }
  if (options.query) {
    for (const [name, field] of Object.entries(options.query.shape)) {
      decorators.push(ApiQuery({ name, required: false, schema: openApiSchema(field as z.ZodType, 'input') }));
    }
  }
  const status = options.status ?? 200;
  decorators.push(
    ApiResponse({
      status,
      description: status === 204 ? 'No content' : 'Success',
      ...(options.response ? { schema: openApiSchema(options.response) } : {}),
    }),
  );
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of options.errors ?? []) byStatus.set(statusOfErrorCode(code), [...(byStatus.get(statusOfErrorCode(code)) ?? []), code]);
  for (const [errorStatus, codes] of byStatus) {
    decorators.push(
      ApiResponse({
        status: errorStatus,
        description: `Problem details; code: ${codes.join(', ')}`,
        content: { 'application/problem+json': { schema: PROBLEM } },
      }),
    );
  }
  return applyDecorators(...decorators);
}
