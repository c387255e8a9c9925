export function findTokens(text: string): string[];
export function scanLogDir(dir: string): { files: number; leaks: { token: string; files: string[] }[] };
