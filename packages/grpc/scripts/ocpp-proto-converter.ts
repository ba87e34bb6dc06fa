/** The OCA JSON schemas of one OCPP version as protobuf messages (generate-ocpp-proto.ts). */
import { isDeepStrictEqual } from 'node:util';
import { INT32_MAX } from '@csms/ocpp';
import {
  ANNOTATIONS,
  isObject,
  structural,
  type Json,
  type JsonObject,
} from '../../ocpp/scripts/schema-structure.js';
import {
  defaultJsonName,
  describe,
  pascalCase,
  snakeCase,
  wrap,
  type ProtoField,
  type ProtoMessage,
} from './ocpp-proto-text.js';

const INT32_MIN = -INT32_MAX - 1;

/** The definitions of one version, merged across schema files (same name = same structure, or fail). */
export class Definitions {
  readonly #defs = new Map<string, { schema: JsonObject; from: string; descriptions: Set<string> }>();
  readonly #errors: string[];

  constructor(errors: string[]) {
    this.#errors = errors;
  }

  add(file: string, definitions: Json | undefined): void {
    if (definitions === undefined) return;
    if (!isObject(definitions)) throw new Error(`${file}: definitions is not an object`);
    for (const name of Object.keys(definitions).sort()) {
      const def = definitions[name];
      if (!isObject(def)) throw new Error(`${file}: definition ${name} is not an object`);
      const seen = this.#defs.get(name);
      if (seen === undefined) {
        this.#defs.set(name, {
          schema: def,
          from: file,
          descriptions: new Set([JSON.stringify(def.description)]),
        });
      } else if (!isDeepStrictEqual(structural(seen.schema), structural(def))) {
        this.#errors.push(`definition ${name} differs between ${seen.from} and ${file}`);
      } else {
        seen.descriptions.add(JSON.stringify(def.description));
      }
    }
  }

  get(ref: string, where: string): { name: string; schema: JsonObject; description: Json | undefined } {
    const match = /^#\/definitions\/(\w+)$/.exec(ref);
    const entry = match ? this.#defs.get(match[1] ?? '') : undefined;
    if (!match || !entry) throw new Error(`${where}: unresolved $ref ${ref}`);
    // Same-named definitions whose descriptions differ are described by their fields only.
    const description = entry.descriptions.size === 1 ? entry.schema.description : undefined;
    return { name: match[1] ?? '', schema: entry.schema, description };
  }
}

/** Turns the schemas of one version into messages. */
export class Converter {
  /** Top-level messages made from definitions, by name. */
  readonly shared = new Map<string, ProtoMessage>();
  usesStruct = false;
  usesValue = false;

  constructor(private readonly definitions: Definitions) {}

  /** A message for an object schema; `nestedIn` is where inline objects of its properties go. */
  message(name: string, schema: JsonObject, comment: readonly string[], where: string): ProtoMessage {
    const message: ProtoMessage = { name, comment, fields: [], nested: [] };
    const known = new Set(['type', 'properties', 'required', 'additionalProperties', ...ANNOTATIONS]);
    for (const key of Object.keys(schema)) {
      if (!known.has(key) && !key.startsWith('$') && key !== 'definitions' && key !== 'id')
        throw new Error(`${where}: unsupported keyword ${key} on an object`);
    }
    const properties = schema.properties ?? {};
    if (!isObject(properties)) throw new Error(`${where}: properties is not an object`);
    const required = new Set(Array.isArray(schema.required) ? schema.required.map(String) : []);
    for (const [property, propertySchema] of Object.entries(properties)) {
      if (!isObject(propertySchema)) throw new Error(`${where}.${property}: not a schema`);
      message.fields.push(
        this.field(message, property, propertySchema, required.has(property), `${where}.${property}`),
      );
    }
    const names = new Set<string>();
    for (const field of message.fields) {
      if (names.has(field.name)) throw new Error(`${where}: two properties map to field ${field.name}`);
      names.add(field.name);
    }
    return message;
  }

  private field(
    parent: ProtoMessage,
    property: string,
    schema: JsonObject,
    required: boolean,
    where: string,
  ): ProtoField {
    const name = snakeCase(property);
    if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`${where}: cannot map property name ${property}`);
    const jsonName = defaultJsonName(name) === property ? undefined : property;
    const notes: string[] = [];
    let repeated = false;
    let item = schema;
    if (schema.type === 'array') {
      repeated = true;
      if (!isObject(schema.items)) throw new Error(`${where}: array items must be one schema`);
      item = schema.items;
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : undefined;
      if (min > 0 && max !== undefined) notes.push(`${min} to ${max} items.`);
      else if (min > 0) notes.push(`At least ${min} item${min === 1 ? '' : 's'}.`);
      else if (max !== undefined) notes.push(`At most ${max} items.`);
    }
    const mapped = this.type(parent, property, item, where);
    let description = [
      ...describe(schema.description),
      ...(schema === item ? [] : describe(item.description)),
    ];
    if (description.length === 0) description = mapped.description;
    if (required) notes.unshift('Required.');
    if (mapped.notes !== '') notes.push(mapped.notes);
    return {
      name,
      jsonName,
      type: mapped.type,
      repeated,
      comment: [...description, ...wrap(notes.join(' '))],
    };
  }

  /**
   * The proto type of a (non-array) schema, the description of the definition it refers to (used when the
   * property has none) and a note on its constraints.
   */
  private type(
    parent: ProtoMessage,
    property: string,
    schema: JsonObject,
    where: string,
  ): { type: string; description: string[]; notes: string } {
    if (typeof schema.$ref === 'string') {
      const def = this.definitions.get(schema.$ref, where);
      if (def.schema.type === 'object') {
        if (def.schema.additionalProperties !== false) {
          this.usesStruct = true;
          return {
            type: 'google.protobuf.Struct',
            description: [],
            notes: this.openObjectNote(def.name, def.schema),
          };
        }
        if (!this.shared.has(def.name)) {
          // Registered before converting, so recursive definitions terminate.
          this.shared.set(def.name, { name: def.name, comment: [], fields: [], nested: [] });
          this.shared.set(def.name, this.message(def.name, def.schema, describe(def.description), def.name));
        }
        return { type: def.name, description: [], notes: '' };
      }
      // An enumeration (or another scalar) definition.
      const scalar = this.scalar(def.schema, where, def.name);
      return { type: scalar.type, description: describe(def.description), notes: scalar.notes };
    }
    if (schema.type === 'object') {
      if (schema.additionalProperties !== false) {
        this.usesStruct = true;
        return {
          type: 'google.protobuf.Struct',
          description: [],
          notes: this.openObjectNote(property, schema),
        };
      }
      const nestedName = pascalCase(property);
      if (parent.nested.some((n) => n.name === nestedName) || nestedName === parent.name)
        throw new Error(`${where}: nested message ${nestedName} clashes in ${parent.name}`);
      parent.nested.push(this.message(nestedName, schema, [], where));
      return { type: nestedName, description: [], notes: '' };
    }
    if (schema.type === undefined) {
      if (Object.keys(schema).some((key) => !ANNOTATIONS.has(key)))
        throw new Error(`${where}: schema without type: ${JSON.stringify(schema)}`);
      this.usesValue = true;
      return { type: 'google.protobuf.Value', description: [], notes: 'Any JSON value.' };
    }
    const scalar = this.scalar(schema, where);
    return { type: scalar.type, description: [], notes: scalar.notes };
  }

  private openObjectNote(name: string, schema: JsonObject): string {
    const props = isObject(schema.properties) ? Object.keys(schema.properties) : [];
    const required = Array.isArray(schema.required) ? schema.required.map(String) : [];
    const list = props.map((p) => (required.includes(p) ? `${p} (required)` : p)).join(', ');
    return `A JSON object (${name})${list === '' ? '' : ` with ${list}`}, open to further properties.`;
  }

  private scalar(schema: JsonObject, where: string, enumName?: string): { type: string; notes: string } {
    const known = new Set([
      'type',
      'enum',
      'maxLength',
      'format',
      'default',
      'minimum',
      'maximum',
      'multipleOf',
      // Misplaced on string enums in the OCA schemas; meaningless there.
      'additionalProperties',
      ...ANNOTATIONS,
    ]);
    for (const key of Object.keys(schema)) {
      if (!known.has(key)) throw new Error(`${where}: unsupported keyword ${key}`);
    }
    const notes: string[] = [];
    let type: string;
    const schemaType = typeof schema.type === 'string' ? schema.type : JSON.stringify(schema.type);
    switch (schemaType) {
      case 'string':
        type = 'string';
        if (Array.isArray(schema.enum))
          notes.push(`One of${enumName ? ` (${enumName})` : ''}: ${schema.enum.map(String).join(', ')}.`);
        if (schema.format === 'date-time') notes.push('An RFC 3339 date-time.');
        else if (schema.format === 'uri') notes.push('A URI.');
        else if (schema.format !== undefined)
          throw new Error(`${where}: unsupported format ${JSON.stringify(schema.format)}`);
        if (typeof schema.maxLength === 'number') notes.push(`At most ${schema.maxLength} characters.`);
        break;
      case 'integer': {
        const beyond =
          (typeof schema.maximum === 'number' && schema.maximum > INT32_MAX) ||
          (typeof schema.minimum === 'number' && schema.minimum < INT32_MIN);
        type = beyond ? 'int64' : 'int32';
        break;
      }
      case 'number':
        type = 'double';
        if (typeof schema.multipleOf === 'number') notes.push(`A multiple of ${schema.multipleOf}.`);
        break;
      case 'boolean':
        type = 'bool';
        break;
      default:
        throw new Error(`${where}: unsupported type ${JSON.stringify(schema.type)}`);
    }
    if (schema.type !== 'string' && schema.enum !== undefined)
      throw new Error(`${where}: enum on ${schemaType}`);
    if (typeof schema.minimum === 'number') notes.push(`Minimum ${schema.minimum}.`);
    if (typeof schema.maximum === 'number') notes.push(`Maximum ${schema.maximum}.`);
    if (schema.default !== undefined) notes.push(`Default: ${JSON.stringify(schema.default)}.`);
    return { type, notes: notes.join(' ') };
  }
}
