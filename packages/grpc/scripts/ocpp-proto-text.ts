/** Names, comments and message rendering of the generated OCPP command protos (generate-ocpp-proto.ts). */
import type { Json } from '../../ocpp/scripts/schema-structure.js';

/** `csChargingProfiles` -> `cs_charging_profiles`, `responderURL` -> `responder_url`, `SoC` -> `so_c`. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/** protoc's default JSON name of a field (ToJsonName: drop each '_' and upper-case the next character). */
export function defaultJsonName(field: string): string {
  return field.replace(/_(.)?/g, (_m, next: string | undefined) => (next ?? '').toUpperCase());
}

export function pascalCase(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

export interface ProtoField {
  readonly name: string;
  readonly jsonName: string | undefined;
  readonly type: string;
  readonly repeated: boolean;
  readonly comment: readonly string[];
}

export interface ProtoMessage {
  readonly name: string;
  readonly comment: readonly string[];
  readonly fields: ProtoField[];
  readonly nested: ProtoMessage[];
}

/** Text of a schema description as comment lines (CRLF normalised, HTML entities of the OCA export decoded). */
export function describe(value: Json | undefined): string[] {
  if (typeof value !== 'string') return [];
  const text = value
    .replace(/\r\n?/g, '\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
  return text === '' ? [] : text.split('\n').flatMap((line) => (line.trim() === '' ? [''] : wrap(line)));
}

/** Wraps words into comment lines of at most `width` characters (long words stay whole). */
export function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function comment(lines: readonly string[], indent: string): string[] {
  return lines.map((line) => (line === '' ? `${indent}//` : `${indent}// ${line}`));
}

export function renderMessage(message: ProtoMessage, indent: string): string[] {
  const out = [...comment(message.comment, indent), `${indent}message ${message.name} {`];
  for (const nested of message.nested) out.push(...renderMessage(nested, `${indent}  `));
  message.fields.forEach((field, i) => {
    out.push(...comment(field.comment, `${indent}  `));
    const label = field.repeated ? 'repeated' : 'optional';
    const option = field.jsonName === undefined ? '' : ` [json_name = "${field.jsonName}"]`;
    out.push(`${indent}  ${label} ${field.type} ${field.name} = ${i + 1}${option};`);
  });
  out.push(`${indent}}`);
  return out;
}
