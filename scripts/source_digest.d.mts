// Types of source_digest.mjs (plain JavaScript, so bin/volta.mjs can use it before tsx is loaded).
export declare const DIGEST_DIRS: readonly string[];
export declare function sourceDigest(root: string): string;
export declare function writeSourceStamp(root: string, dist?: string): void;
export declare function distIsCurrent(root: string, env?: Readonly<Record<string, string | undefined>>): boolean;
