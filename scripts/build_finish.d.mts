// Types of build_finish.mjs.
export declare function finishBuild(root: string, dist?: string): Promise<void>;
