// Types of bundle_cli.mjs.
export declare const BUNDLE_DIR: string;
export declare function bundleCli(dist: string, entry?: string, outdir?: string): Promise<boolean>;
