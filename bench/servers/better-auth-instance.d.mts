export declare const auth: { options: unknown };
