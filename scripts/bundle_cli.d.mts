// Types of bundle_cli.mjs.
export declare const BUNDLE: string;
export declare function bundleCli(dist: string, entry?: string, outfile?: string): Promise<boolean>;
