/**
 * Offline check of a synthesized template against the CloudFormation resource schemas, as compiled into
 * `@aws-cdk/aws-service-spec` (the registry specification CDK's L1 classes are generated from). It checks
 * what CloudFormation itself rejects at create time: an unknown resource type, an unknown property name (top
 * level and in nested property types), a value of the wrong shape, a required property missing, a string
 * outside its allowed values, and a `Ref` / `Fn::GetAtt` to something the template does not declare.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, SpecDatabase, TypeDefinition } from '@aws-cdk/service-spec-types';

type Json = unknown;
type TemplateResource = { Type?: string; Properties?: Record<string, Json> };
export type CfnTemplate = {
  Parameters?: Record<string, Json>;
  Resources?: Record<string, TemplateResource>;
};

/** A finding, with the JSON path of the offending value (e.g. `Resources.Queue.Properties.RedrivePolicy`). */
export type SchemaError = { path: string; message: string };

const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Metadata',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'UpdatePolicy',
  'CreationPolicy',
]);

let database: SpecDatabase | undefined;
/** The spec database, decompressed once per process (~2.5 MB gzipped, ~1.5 s). */
export function cfnSpecDatabase(): SpecDatabase {
  database ??= loadAwsServiceSpecSync();
  return database;
}

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{ Ref }` or a single `Fn::*` key: resolved by CloudFormation, so its type is not known here. */
const isIntrinsic = (v: Json): v is Record<string, Json> => {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
};

export function validateTemplate(template: CfnTemplate, db = cfnSpecDatabase()): SchemaError[] {
  const errors: SchemaError[] = [];
  const resources = template.Resources ?? {};
  const parameters = new Set(Object.keys(template.Parameters ?? {}));

  const typeDefinition = (type: Extract<PropertyType, { type: 'ref' }>): TypeDefinition =>
    db.get('typeDefinition', type.reference.$ref) as TypeDefinition;

  /** Errors of `value` against `type`; an intrinsic anywhere stands for a value of the right type. */
  const check = (value: Json, type: PropertyType, path: string): SchemaError[] => {
    if (isIntrinsic(value)) return [];
    const wrong = (expected: string): SchemaError[] => [
      { path, message: `expected ${expected}, got ${JSON.stringify(value)?.slice(0, 80)}` },
    ];
    switch (type.type) {
      case 'json':
        return [];
      // CloudFormation passes scalars to string properties as their text.
      case 'string':
      case 'date-time': {
        if (!['string', 'number', 'boolean'].includes(typeof value)) return wrong(type.type);
        const allowed = type.type === 'string' ? type.allowedValues : undefined;
        if (allowed && allowed.length > 0 && !allowed.includes(String(value)))
          return [{ path, message: `${JSON.stringify(value)} is not one of ${allowed.join(', ')}` }];
        return [];
      }
      case 'integer':
        return Number.isInteger(value) || (typeof value === 'string' && /^-?\d+$/.test(value))
          ? []
          : wrong('an integer');
      case 'number':
        return typeof value === 'number' ||
          (typeof value === 'string' && value.trim() !== '' && !isNaN(+value))
          ? []
          : wrong('a number');
      case 'boolean':
        return typeof value === 'boolean' || value === 'true' || value === 'false' ? [] : wrong('a boolean');
      case 'null':
        return value === null ? [] : wrong('null');
      case 'tag':
        return checkProperties(
          value,
          {
            Key: { type: { type: 'string' }, required: true },
            Value: { type: { type: 'string' }, required: true },
          },
          path,
        );
      case 'array':
        return Array.isArray(value)
          ? value.flatMap((element, i) => check(element, type.element, `${path}[${i}]`))
          : wrong('a list');
      case 'map':
        return isObject(value)
          ? Object.entries(value).flatMap(([k, v]) => check(v, type.element, `${path}.${k}`))
          : wrong('a map');
      case 'ref': {
        const definition = typeDefinition(type);
        return checkProperties(value, definition.properties, path, definition.name);
      }
      case 'union': {
        // A `json` member stands for "an object" (the schema's untyped `type: object`), not for anything.
        const members = type.types.filter((member) => member.type !== 'json' || isObject(value));
        if (members.length === 0) return wrong('an object');
        const attempts = members.map((member) => check(value, member, path));
        if (attempts.some((a) => a.length === 0)) return [];
        return attempts.reduce((best, a) => (a.length < best.length ? a : best));
      }
    }
  };

  const checkProperties = (
    value: Json,
    properties: Record<string, Property>,
    path: string,
    typeName = 'an object',
  ): SchemaError[] => {
    if (isIntrinsic(value)) return [];
    if (!isObject(value)) return [{ path, message: `expected ${typeName}, got ${JSON.stringify(value)}` }];
    const found: SchemaError[] = [];
    for (const [name, v] of Object.entries(value)) {
      const property = properties[name];
      if (!property) found.push({ path: `${path}.${name}`, message: `unknown property of ${typeName}` });
      else found.push(...check(v, property.type, `${path}.${name}`));
    }
    for (const [name, property] of Object.entries(properties))
      if (property.required && !(name in value))
        found.push({ path, message: `required property ${name} of ${typeName} is missing` });
    return found;
  };

  const checkReferences = (value: Json, path: string): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => checkReferences(v, `${path}[${i}]`));
    if (!isObject(value)) return;
    if (typeof value.Ref === 'string') {
      const target = value.Ref;
      if (!target.startsWith('AWS::') && !parameters.has(target) && !resources[target])
        errors.push({ path, message: `Ref to undeclared ${target}` });
    }
    const getAtt = value['Fn::GetAtt'];
    if (getAtt !== undefined) {
      const [id, attribute] = Array.isArray(getAtt) ? getAtt : String(getAtt).split(/\.(.*)/);
      const target = resources[String(id)];
      const targetType = target?.Type ?? '';
      if (!target) errors.push({ path, message: `Fn::GetAtt on undeclared ${String(id)}` });
      else if (typeof attribute === 'string' && !isCustom(targetType)) {
        const spec = db.lookup('resource', 'cloudFormationType', 'equals', targetType)[0];
        if (spec && !(attribute in spec.attributes))
          errors.push({ path, message: `${targetType} has no attribute ${attribute}` });
      }
    }
    for (const [k, v] of Object.entries(value)) checkReferences(v, `${path}.${k}`);
  };

  for (const [id, resource] of Object.entries(resources)) {
    const path = `Resources.${id}`;
    for (const key of Object.keys(resource))
      if (!RESOURCE_ATTRIBUTES.has(key))
        errors.push({ path: `${path}.${key}`, message: 'unknown resource attribute' });
    checkReferences(resource, path);
    const type = resource.Type ?? '';
    if (isCustom(type)) {
      if (!isObject(resource.Properties) || !('ServiceToken' in resource.Properties))
        errors.push({ path, message: `custom resource ${type} has no ServiceToken` });
      continue;
    }
    const spec = db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
    if (!spec) {
      errors.push({ path: `${path}.Type`, message: `unknown resource type ${JSON.stringify(type)}` });
      continue;
    }
    errors.push(...checkProperties(resource.Properties ?? {}, spec.properties, `${path}.Properties`, type));
  }
  return errors;
}

const isCustom = (type: string) =>
  type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
