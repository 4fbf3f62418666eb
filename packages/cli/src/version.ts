/** The CLI's version (kept equal to the package version). */
export const VERSION = "0.1.0";
