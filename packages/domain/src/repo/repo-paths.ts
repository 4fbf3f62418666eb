/** Where the repository lives in R2 (`repo/`) and where its packages are, relative to each repository. */
export const REPO_PREFIX = "repo/";
export const APT = `${REPO_PREFIX}apt/`;
export const YUM = `${REPO_PREFIX}yum/`;

export const aptPoolPath = (version: string, file: string) => `pool/${version}/${file}`;
export const yumPackagePath = (version: string, file: string) => `packages/${version}/${file}`;
