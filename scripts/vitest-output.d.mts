export function unhandledErrors(output: string): string[];
