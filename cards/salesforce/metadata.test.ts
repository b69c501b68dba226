import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERMISSION_SET, SCORE_FIELDS, SCORED_OBJECTS } from '../../connectors/salesforce/fields.ts';
import type { CustomFieldMetadata } from '../../connectors/salesforce/fields.ts';
import { child, childText, parseXml } from './xml.ts';
import type { XmlElement } from './xml.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const CARD = join(ROOT, 'cards/salesforce/force-app/main/default');
const APP = join(ROOT, 'manifest/salesforce');
const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const read = (file: string): XmlElement => parseXml(readFileSync(file, 'utf8'));
const fieldFile = (object: string, name: string) =>
  join(CARD, 'objects', object, 'fields', `${name}.field-meta.xml`);

/** The attributes a field file declares, in the shape of the connector's CustomFieldMetadata. */
function declared(field: XmlElement): CustomFieldMetadata {
  const num = (name: string) => {
    const t = childText(field, name);
    return t === undefined ? undefined : Number(t);
  };
  const valueSet = child(field, 'valueSet');
  const definition = valueSet && child(valueSet, 'valueSetDefinition');
  const out: Record<string, unknown> = {
    label: childText(field, 'label'),
    type: childText(field, 'type'),
    description: childText(field, 'description'),
    length: num('length'),
    precision: num('precision'),
    scale: num('scale'),
    visibleLines: num('visibleLines'),
  };
  if (valueSet && definition) {
    out.valueSet = {
      restricted: childText(valueSet, 'restricted') === 'true',
      valueSetDefinition: {
        sorted: childText(definition, 'sorted') === 'true',
        value: definition.children
          .filter((v) => v.name === 'value')
          .map((v) => ({
            fullName: childText(v, 'fullName'),
            default: childText(v, 'default') === 'true',
            label: childText(v, 'label'),
          })),
      },
    };
  }
  return Object.fromEntries(
    Object.entries(out).filter(([, v]) => v !== undefined),
  ) as unknown as CustomFieldMetadata;
}

describe('the small XML reader', () => {
  it('reads elements, attributes, text and entities', () => {
    const root = parseXml('<?xml version="1.0"?><a x="1 &amp; 2"><!-- c --><b>x &lt; y</b><c/></a>');
    expect(root.attributes).toEqual({ x: '1 & 2' });
    expect(root.children.map((c) => c.name)).toEqual(['b', 'c']);
    expect(childText(root, 'b')).toBe('x < y');
  });

  it.each([
    ['a mismatched end tag', '<a><b></a></b>'],
    ['an unclosed element', '<a><b></b>'],
    ['two roots', '<a/><b/>'],
    ['a bare ampersand', '<a>R&D</a>'],
    ['an unknown entity', '<a>&nbsp;</a>'],
    ['an unquoted attribute', '<a x=1/>'],
    ['a duplicate attribute', '<a x="1" x="2"/>'],
    ['text after the root', '<a/>b'],
  ])('rejects %s', (_, xml) => {
    expect(() => parseXml(xml)).toThrow();
  });
});

describe('SFDX metadata', () => {
  const xmlFiles = [...filesUnder(join(ROOT, 'cards/salesforce/force-app')), ...filesUnder(APP)].filter((f) =>
    f.endsWith('.xml'),
  );

  it.each(xmlFiles.map((f) => [relative(ROOT, f), f]))(
    '%s is well formed in the metadata namespace',
    (_, file) => {
      const root = read(file);
      expect(root.attributes.xmlns).toBe(METADATA_NS);
    },
  );

  it('has a field file for every connector field on Lead and Contact, and no other', () => {
    for (const object of SCORED_OBJECTS) {
      const names = readdirSync(join(CARD, 'objects', object, 'fields')).map((f) =>
        f.replace('.field-meta.xml', ''),
      );
      expect(names.sort()).toEqual(SCORE_FIELDS.map((f) => f.name).sort());
    }
  });

  it('declares each field with the API name, type and attributes the connector creates', () => {
    for (const object of SCORED_OBJECTS) {
      for (const spec of SCORE_FIELDS) {
        const field = read(fieldFile(object, spec.name));
        expect(field.name).toBe('CustomField');
        expect(childText(field, 'fullName')).toBe(spec.name);
        expect(declared(field), `${object}.${spec.name}`).toEqual(spec.metadata);
      }
    }
  });

  it('holds the write-back contract of design §7, reasons as long text and scored-at as a date-time', () => {
    const types = Object.fromEntries(SCORE_FIELDS.map((f) => [f.name, f.metadata.type]));
    expect(Object.keys(types).sort()).toEqual(
      [
        'Leadgate_Score__c',
        'Leadgate_Tier__c',
        'Leadgate_Fit_Score__c',
        'Leadgate_Engagement_Score__c',
        'Leadgate_Route__c',
        'Leadgate_Confidence__c',
        'Leadgate_Reasons__c',
        'Leadgate_Model_Version__c',
        'Leadgate_Scored_At__c',
      ].sort(),
    );
    expect(types.Leadgate_Reasons__c).toBe('LongTextArea');
    expect(types.Leadgate_Scored_At__c).toBe('DateTime');
  });

  function fieldPermissions(file: string) {
    const set = read(join(CARD, 'permissionsets', file));
    expect(set.name).toBe('PermissionSet');
    return {
      label: childText(set, 'label'),
      rows: set.children
        .filter((c) => c.name === 'fieldPermissions')
        .map((p) => ({
          field: childText(p, 'field'),
          readable: childText(p, 'readable'),
          editable: childText(p, 'editable'),
        })),
    };
  }

  const everyField = SCORED_OBJECTS.flatMap((object) =>
    SCORE_FIELDS.map((f) => `${object}.${f.name}`),
  ).sort();

  it('grants the integration permission set the connector assigns read and edit on every field', () => {
    const { label, rows } = fieldPermissions(`${PERMISSION_SET.Name}.permissionset-meta.xml`);
    expect(label).toBe(PERMISSION_SET.Label);
    expect(rows.map((r) => r.field).sort()).toEqual(everyField);
    expect(rows.every((r) => r.readable === 'true' && r.editable === 'true')).toBe(true);
  });

  it('grants the card viewer permission set read-only access to every field', () => {
    const { rows } = fieldPermissions('Leadgate_Card_Viewer.permissionset-meta.xml');
    expect(rows.map((r) => r.field).sort()).toEqual(everyField);
    expect(rows.every((r) => r.readable === 'true' && r.editable === 'false')).toBe(true);
  });

  it('exposes the card on Lead and Contact record pages only', () => {
    const bundle = read(join(CARD, 'lwc/leadgateScoreCard/leadgateScoreCard.js-meta.xml'));
    expect(childText(bundle, 'isExposed')).toBe('true');
    const targets = child(bundle, 'targets')?.children.map((t) => t.text.trim());
    expect(targets).toEqual(['lightning__RecordPage']);
    const config = child(bundle, 'targetConfigs')?.children[0];
    expect(config?.attributes.targets).toBe('lightning__RecordPage');
    const objects = config && child(config, 'objects')?.children.map((o) => o.text.trim());
    expect(objects).toEqual([...SCORED_OBJECTS]);
  });

  it('has the card read exactly the connector fields', () => {
    const source = readFileSync(join(CARD, 'lwc/leadgateScoreCard/leadgateScoreCard.js'), 'utf8');
    const list = /export const FIELD_NAMES = \[([^\]]*)\]/.exec(source)?.[1];
    expect(list).toBeDefined();
    const names = [...(list ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
    expect(names).toEqual(SCORE_FIELDS.map((f) => f.name));
    // No other Leadgate field is named anywhere in the component.
    const mentioned = new Set([...source.matchAll(/Leadgate_\w+__c/g)].map((m) => m[0]));
    expect([...mentioned].sort()).toEqual(SCORE_FIELDS.map((f) => f.name).sort());
  });

  it('registers the OAuth app as an External Client App with PKCE and the install callback', () => {
    const header = read(join(APP, 'main/default/externalClientApps/Leadgate.eca-meta.xml'));
    expect(header.name).toBe('ExternalClientApplication');
    const global = read(
      join(APP, 'main/default/extlClntAppGlobalOauthSets/Leadgate_glbloauth.ecaGlblOauth-meta.xml'),
    );
    expect(childText(global, 'externalClientApplication')).toBe('Leadgate');
    expect(childText(global, 'isPkceRequired')).toBe('true');
    expect(childText(global, 'callbackUrl')).toMatch(/\/install\/salesforce\/callback$/);
    const oauth = read(join(APP, 'main/default/extlClntAppOauthSettings/Leadgate_oauth.ecaOauth-meta.xml'));
    expect(childText(oauth, 'externalClientApplication')).toBe('Leadgate');
    expect(childText(oauth, 'commaSeparatedOauthScopes')?.split(/,\s*/)).toEqual(['Api', 'RefreshToken']);
  });

  it('lists both folders as package directories of the root sfdx-project.json', () => {
    const project = JSON.parse(readFileSync(join(ROOT, 'sfdx-project.json'), 'utf8')) as {
      packageDirectories: { path: string }[];
    };
    expect(project.packageDirectories.map((d) => d.path)).toEqual([
      'cards/salesforce/force-app',
      'manifest/salesforce',
    ]);
  });
});
