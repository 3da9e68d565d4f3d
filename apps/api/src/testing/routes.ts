import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod, type Type } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { ROUTE_KEY, type RouteAccess, type RouteOptions } from '../http/route.js';

/** One route of the running app, as its controller declares it. */
export interface DeclaredRoute {
  controller: string;
  handler: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path as the router has it (`/v1/trades/:id`). */
  path: string;
  /** The OpenAPI path (`/v1/trades/{id}`). */
  openApiPath: string;
  /** The operation's id in the OpenAPI document, as common/openapi.ts names it. */
  operationId: string;
  /** The route's access (`session`, AuthGuard's default, when it has no `@Route`). */
  access: RouteAccess;
  /** True when the route is declared with `@Route`. */
  declaredOnce: boolean;
  /** False for controllers kept out of the OpenAPI document (metrics). */
  documented: boolean;
}

const join = (...parts: string[]) =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/')}`;

/** Every route of `app`'s controllers. */
export function declaredRoutes(app: INestApplication): DeclaredRoute[] {
  const routes: DeclaredRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type;
      const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
      const documented = !Reflect.getMetadata('swagger/apiExcludeController', controller);
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] as DeclaredRoute['method'];
        const path = join(base, (Reflect.getMetadata(PATH_METADATA, handler) as string | undefined) ?? '');
        const declared = Reflect.getMetadata(ROUTE_KEY, handler) as RouteOptions | undefined;
        const short = controller.name.replace(/Controller$/, '');
        routes.push({
          controller: controller.name,
          handler: name,
          method,
          path,
          openApiPath: path.replace(/:(\w+)/g, '{$1}'),
          operationId: `${short.charAt(0).toLowerCase()}${short.slice(1)}_${name}`,
          access: declared?.access ?? 'session',
          declaredOnce: declared !== undefined,
          documented,
        });
      }
    }
  }
  return routes;
}
