/** A tiny method + path router: `:name` segments become `params.name`. */
import type { SandboxRequest, SandboxResponse } from './http';

export type RouteHandler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export interface RouteDefinition {
  readonly method: string;
  readonly pattern: string;
  /** Rate-limit bucket the route draws from. */
  readonly bucket: string;
  /** A token needs one of these scopes; none: any valid token. */
  readonly scopes: readonly string[];
  readonly handler: RouteHandler;
}

interface CompiledRoute extends RouteDefinition {
  readonly regex: RegExp;
  readonly names: readonly string[];
}

export type RouteMatch =
  | { kind: 'found'; route: RouteDefinition; params: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(route: RouteDefinition): this {
    const names: string[] = [];
    const source = route.pattern
      .split('/')
      .map((segment) => {
        if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(segment.slice(1));
        return '([^/]+)';
      })
      .join('/');
    this.routes.push({ ...route, regex: new RegExp(`^${source}/?$`), names });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { kind: 'found', route, params };
    }
    return allowed.length > 0 ? { kind: 'method-not-allowed', allowed } : { kind: 'not-found' };
  }

  list(): { method: string; pattern: string; bucket: string; scopes: readonly string[] }[] {
    return this.routes.map(({ method, pattern, bucket, scopes }) => ({ method, pattern, bucket, scopes }));
  }
}
