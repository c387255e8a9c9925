export function onPath(name: string, env?: Record<string, string | undefined>): string | null;
export function chromiumPath(env?: Record<string, string | undefined>): string | null;
