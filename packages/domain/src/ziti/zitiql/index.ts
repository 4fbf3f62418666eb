export { applyQuery, matches, sortRef } from "./evaluate";
export { filterableFields, type ZqlFieldDef, type ZqlFields, type ZqlFieldType } from "./fields";
export { ZitiQlError } from "./lexer";
export { parseZitiQl, type ZqlExpr, type ZqlQuery } from "./parser";
export { type SqlQueryParts, toSql } from "./to-sql";
