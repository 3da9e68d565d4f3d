import { createRequire } from 'node:module';
import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags, DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import * as contracts from '@tradetally/contracts';
import { type ErrorCode, ProblemDetailsSchema, statusOfErrorCode } from '@tradetally/contracts';
import { z } from 'zod';
import { documentIdempotency } from '../modules/idempotency/idempotency.openapi.js';

// The packages' one version number (every package.json has it); src/common and dist/common both sit two folders below apps/api.
const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** An OpenAPI schema object, as @nestjs/swagger types it (its interfaces are not exported). */
type SchemaObject = Extract<Parameters<typeof ApiResponse>[0], { schema: unknown }>['schema'];

/** A JSON value as z.toJSONSchema writes it, walked to move its definitions into components. */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * The shapes generated clients name (`components.schemas`), taken from the contracts by the names
 * integrators know from http-api.md. A shape is named in the direction it travels: answers as the
 * API writes them, request parts as a client may send them (defaults optional). Enums both ways.
 */
const SHARED_NAMES: Array<[string, z.ZodType]> = [
  ['ErrorCode', contracts.ErrorCodeSchema],
  ['ApiKeyScope', contracts.ApiKeyScopeSchema],
  ['ApiKeyEnvironment', contracts.ApiKeyEnvironmentSchema],
  ['TradeSide', contracts.TradeSideSchema],
  ['LeakSource', contracts.LeakSourceSchema],
];
const OUTPUT_NAMES: Array<[string, z.ZodType]> = [
  ...SHARED_NAMES,
  ['FieldError', contracts.FieldErrorSchema],
  ['Problem', contracts.ProblemDetailsSchema],
  ['ApiKeyStatus', contracts.ApiKeyStatusSchema],
  ['RevokeReason', contracts.RevokeReasonSchema],
  ['ApiKey', contracts.ApiKeySchema],
  ['ApiKeySelf', contracts.ApiKeySelfSchema],
  ['SelfRotatedKey', contracts.SelfRotatedKeySchema],
  ['ApiKeyPage', contracts.ApiKeyPageSchema],
  ['CreateApiKeyResponse', contracts.CreateApiKeyResponseSchema],
  ['RotateApiKeyResponse', contracts.RotateApiKeyResponseSchema],
  ['SelfRotateResponse', contracts.SelfRotateResponseSchema],
  ['UsageDay', contracts.UsageDaySchema],
  ['UsageResponse', contracts.UsageResponseSchema],
  ['User', contracts.UserSchema],
  ['UserResponse', contracts.UserResponseSchema],
  ['LoginResponse', contracts.LoginResponseSchema],
  ['Trade', contracts.TradeSchema],
  ['TradePage', contracts.TradePageSchema],
  ['ImportError', contracts.ImportErrorSchema],
  ['ImportResult', contracts.ImportResultSchema],
  ['LeakReportResponse', contracts.LeakReportResponseSchema],
  ['NotificationType', contracts.NotificationTypeSchema],
  ['Notification', contracts.NotificationSchema],
  ['NotificationPage', contracts.NotificationPageSchema],
  ['AuditEventType', contracts.AuditEventTypeSchema],
  ['AuditActor', contracts.AuditActorSchema],
  ['AuditEvent', contracts.AuditEventSchema],
  ['AuditEventPage', contracts.AuditEventPageSchema],
  ['DependencyState', contracts.DependencyStateSchema],
  ['HealthResponse', contracts.HealthResponseSchema],
  ['LivenessResponse', contracts.LivenessResponseSchema],
  ['ReadinessResponse', contracts.ReadinessResponseSchema],
];
// Request bodies stay inline at their operation (generators name them after it); what they share is named.
const INPUT_NAMES: Array<[string, z.ZodType]> = [...SHARED_NAMES, ['AllowedIps', contracts.AllowedIpsSchema]];

function registryOf(names: Array<[string, z.ZodType]>) {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of names) registry.add(schema, { id });
  return registry;
}
const REGISTRIES = { input: registryOf(INPUT_NAMES), output: registryOf(OUTPUT_NAMES) };

/** Every named shape met so far, as `components.schemas` will hold it (filled while decorators run). */
const COMPONENTS = new Map<string, Json>();

/** Points zod's local `#/definitions/X` references at `#/components/schemas/X`. */
function toComponentRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof item === 'string' ? item.replace(/^#\/(definitions|\$defs)\//, '#/components/schemas/') : toComponentRefs(item);
  }
  return out;
}

/**
 * Rewrites zod's wrappers of a named shape into forms OpenAPI 3.0 tools read alike: a lone
 * `allOf: [$ref]` becomes the `$ref`; a nullable reference is inlined with `nullable: true` (3.0
 * has no null type to combine with a `$ref`, and Redocly wants `type` beside `nullable`).
 */
function tidy(value: Json, lookup: (ref: string) => Json | undefined): Json {
  if (Array.isArray(value)) return value.map((item) => tidy(item, lookup));
  if (value === null || typeof value !== 'object') return value;
  const { allOf, ...rest } = value;
  const only = Array.isArray(allOf) && allOf.length === 1 ? allOf[0] : undefined;
  const ref = only !== null && typeof only === 'object' && !Array.isArray(only) && typeof only.$ref === 'string' ? only.$ref : undefined;
  if (ref !== undefined) {
    if (Object.keys(rest).length === 0) return { $ref: ref };
    const target = lookup(ref);
    if (rest.nullable === true && target !== null && typeof target === 'object' && !Array.isArray(target)) {
      const inlined: { [key: string]: Json } = { ...target, ...rest };
      if (Array.isArray(target.enum)) inlined.enum = [...target.enum, null];
      return tidy(inlined, lookup);
    }
  }
  const out: { [key: string]: Json } = {};
  for (const [key, item] of Object.entries(value)) out[key] = tidy(item, lookup);
  return out;
}

/** A contracts schema as an OpenAPI 3.0 schema: the docs describe exactly what the code validates. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): SchemaObject {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, unrepresentable: 'any', metadata: REGISTRIES[io] }) as { [key: string]: Json };
  const { definitions, $defs, ...rest } = json;
  const local = new Map<string, Json>();
  for (const [name, definition] of Object.entries({ ...(definitions as object), ...($defs as object) }) as Array<[string, Json]>)
    local.set(name, toComponentRefs(definition));
  const lookup = (ref: string) => {
    const name = ref.replace('#/components/schemas/', '');
    return local.get(name) ?? COMPONENTS.get(name);
  };
  for (const [name, definition] of local) {
    const named = tidy(definition, lookup);
    const known = COMPONENTS.get(name);
    // One name, one shape: a clash means a request and an answer differ under one name.
    if (known !== undefined && JSON.stringify(known) !== JSON.stringify(named)) throw new Error(`OpenAPI component ${name} has two shapes`);
    COMPONENTS.set(name, named);
  }
  return tidy(toComponentRefs(rest), lookup) as SchemaObject;
}

/**
 * Errors any route may answer besides its own: the HTTP parser's (before routing), the last-resort
 * 500, and 503 while the database is down or the instance is stopping.
 */
const EVERY_ROUTE_ERRORS: ErrorCode[] = ['bad_request', 'request_header_too_large', 'internal_error', 'service_unavailable'];

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

/** Describes a route in the OpenAPI document from the contracts' zod schemas (the OpenAPI half of `@Route`, http/route.ts). */
export function ApiContract(options: ContractOptions): MethodDecorator {
  const decorators: Array<ClassDecorator | MethodDecorator | PropertyDecorator> = [ApiTags(options.tag), ApiOperation({ summary: options.summary })];
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
  for (const code of new Set([...(options.errors ?? []), ...EVERY_ROUTE_ERRORS]))
    byStatus.set(statusOfErrorCode(code), [...(byStatus.get(statusOfErrorCode(code)) ?? []), code]);
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

/** `ControllerName_method` → `controllerName_method`: stable, readable names in generated clients. */
function operationId(controllerKey: string, methodKey: string): string {
  const controller = controllerKey.replace(/Controller$/, '');
  return `${controller.charAt(0).toLowerCase()}${controller.slice(1)}_${methodKey}`;
}

/**
 * The OpenAPI document served at /docs-json, made to pass Redocly's recommended rules so that other
 * languages can generate clients from it: a server, a licence, named shapes in
 * `components.schemas`, and `security: []` on every route that takes no credentials.
 */
export function createOpenApiDocument(app: INestApplication, publicUrl: string): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('TradeTally Keys API')
      .setDescription('Users, API keys, the trading journal and leak reports. Errors are RFC 9457 problem details with a stable `code` (`ErrorCode`).')
      .setVersion(version)
      .setLicense('MIT', 'https://opensource.org/license/mit')
      .addServer(publicUrl.replace(/\/+$/, ''), 'This instance (PUBLIC_URL)')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'A session token (POST /v1/auth/login) or an API key (tt_live_…, tt_test_…)' })
      .build(),
    { operationIdFactory: operationId },
  );
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'patch', 'delete'] as const) {
      const operation = item[method];
      // ApiContract adds bearer auth unless a route takes no credentials: say so explicitly.
      if (operation && !operation.security) operation.security = [];
    }
  }
  documentIdempotency(document);
  // Only the shapes some route reaches: a name inlined everywhere (a nullable enum) would be noise.
  const used = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const name = key === '$ref' && typeof item === 'string' ? item.replace('#/components/schemas/', '') : undefined;
        if (name !== undefined && !used.has(name)) {
          used.add(name);
          visit(COMPONENTS.get(name));
        } else visit(item);
      }
    }
  };
  visit(document.paths);
  const schemas = [...COMPONENTS].filter(([name]) => used.has(name)).sort(([a], [b]) => a.localeCompare(b));
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...(Object.fromEntries(schemas) as Record<string, SchemaObject>) },
  };
  return document;
}
