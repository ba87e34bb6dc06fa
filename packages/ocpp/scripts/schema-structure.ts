/**
 * JSON-schema helpers shared by the code generators that read the vendored OCA schemas
 * (packages/ocpp/scripts/generate.ts: TypeScript types; packages/grpc/scripts/generate-ocpp-proto.ts:
 * the typed OCPP command protos). Both refuse two same-named definitions that differ in structure.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Annotations: they change neither a generated type nor the wire format nor validation. */
export const ANNOTATIONS: ReadonlySet<string> = new Set([
  'description',
  'javaType',
  'comment',
  'title',
  '$comment',
]);

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep copy without annotation keys (sorted keys), to compare two same-named definitions structurally. */
export function structural(value: Json, isNameMap = false): Json {
  if (Array.isArray(value)) return value.map((item) => structural(item));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const key of Object.keys(value).sort()) {
    const child = value[key];
    // Keys of `properties`/`definitions` are field/type names, not keywords: a field named "description" stays.
    if (child === undefined || (!isNameMap && ANNOTATIONS.has(key))) continue;
    out[key] = structural(child, !isNameMap && (key === 'properties' || key === 'definitions'));
  }
  return out;
}
