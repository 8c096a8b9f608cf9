/** The first lines of a plugin executable bundled from TypeScript (see banner.mjs). */
export declare const EXECUTABLE_BANNER: string;
