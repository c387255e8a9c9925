export function onPath(name: string, env?: Record<string, string | undefined>): string | null;
export function chromiumPath(env?: Record<string, string | undefined>): string | null;
export function missing(env?: Record<string, string | undefined>): Promise<string[]>;
export function describe(problems: string[]): string;
