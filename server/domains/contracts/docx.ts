import Docxtemplater from 'docxtemplater';
import PizZip from 'pizzip';
import { TEMPLATE_FIELDS } from '../../../common/schemas/contracts';
import { TEMPLATE_LIST_FIELDS, isListField, isTemplateField } from '../../../common/schemas/contract-templates';
import type { MessageKey } from '../../../common/i18n';
import { AppError } from '../../errors';

/**
 * Word templates, pure: read a .docx, list its placeholders, check them against the field list, fill it.
 * docxtemplater joins a tag Word split over several runs (`{cust` + `omerName}`) before reading it.
 */

/** A placeholder as the document uses it: `{name}`, a section `{#name}…{/name}` or an inverted one `{^name}…{/name}`. */
export type TemplateTag = { name: string; kind: 'value' | 'section' | 'inverted'; children: TemplateTag[] };

/** What a template's text is filled with: strings, and the rows of the list fields. */
export type TemplateData = Record<string, string | Record<string, string>[]>;

/** Everything inside the package counts: a few megabytes of XML at most, whatever the zip claims to be. */
const MAX_UNPACKED_BYTES = 64 * 1024 * 1024;

/** The zip of a .docx: TEMPLATE_NOT_DOCX for anything else (not a zip, no word/document.xml, too large unpacked). */
export function openDocx(buffer: Uint8Array): PizZip {
  let zip: PizZip;
  try {
    zip = new PizZip(buffer);
  } catch {
    throw new AppError('TEMPLATE_NOT_DOCX');
  }
  if (!zip.file('word/document.xml') || !zip.file('[Content_Types].xml')) throw new AppError('TEMPLATE_NOT_DOCX');
  let unpacked = 0;
  for (const entry of Object.values(zip.files))
    unpacked += (entry as unknown as { _data?: { uncompressedSize?: number } })._data?.uncompressedSize ?? 0;
  if (unpacked > MAX_UNPACKED_BYTES) throw new AppError('TEMPLATE_NOT_DOCX');
  return zip;
}

type DocxProblem = { id?: string; xtag?: string; openingtag?: string; closingtag?: string };

/** docxtemplater's problem ids we explain in words; others are told as "malformed near …". */
const PROBLEM_KEYS: Record<string, MessageKey> = {
  unclosed_tag: 'contractTemplate.problem.unclosedTag',
  unopened_tag: 'contractTemplate.problem.unopenedTag',
  duplicate_open_tag: 'contractTemplate.problem.duplicateOpen',
  duplicate_close_tag: 'contractTemplate.problem.duplicateClose',
  unclosed_loop: 'contractTemplate.problem.unclosedLoop',
  unopened_loop: 'contractTemplate.problem.unopenedLoop',
  closing_tag_does_not_match_opening_tag: 'contractTemplate.problem.mismatchedLoop',
  raw_xml_tag_should_be_only_text_in_paragraph: 'contractTemplate.problem.rawTag',
};

/** TEMPLATE_BROKEN for the first problem (in words, with its tag), every problem in `details.problems`. */
function broken(problems: DocxProblem[]): AppError {
  const listed = problems.map((p) => ({
    id: p.id ?? 'unknown',
    tag: (p.xtag ?? p.openingtag ?? '').replace(/^[{}]+|[{}]+$/g, '').slice(0, 40),
    ...(p.closingtag ? { closing: p.closingtag.slice(0, 40) } : {}),
  }));
  const first = listed[0] ?? { id: 'unknown', tag: '' };
  const reasonKey: MessageKey =
    PROBLEM_KEYS[first.id] ?? (first.tag ? 'contractTemplate.problem.near' : 'contractTemplate.problem.unreadable');
  return new AppError(
    'TEMPLATE_BROKEN',
    { reasonKey, tag: first.tag, closing: first.closing ?? '' },
    { problems: listed.slice(0, 20) },
  );
}

/** Compiles the template: TEMPLATE_NOT_DOCX / TEMPLATE_BROKEN with docxtemplater's reasons. */
export function compileTemplate(buffer: Uint8Array): Docxtemplater<PizZip> {
  const zip = openDocx(buffer);
  try {
    return new Docxtemplater(zip, {
      paragraphLoop: true,
      linebreaks: true,
      errorLogging: false,
      // A value the data lacks is left empty, never the word "undefined".
      nullGetter: () => '',
    });
  } catch (error) {
    const properties = (error as { properties?: { id?: string; errors?: { properties?: DocxProblem }[] } }).properties;
    if (properties?.id === 'filetype_not_identified' || properties?.id === 'filetype_not_handled')
      throw new AppError('TEMPLATE_NOT_DOCX');
    const problems = properties?.errors?.map((e) => e.properties ?? {}) ?? (properties ? [properties] : []);
    throw broken(problems);
  }
}

type Part = { type: string; value: string; module?: string; inverted?: boolean; subparsed?: Part[] };

function tagsOf(parts: Part[]): TemplateTag[] {
  const tags: TemplateTag[] = [];
  for (const part of parts) {
    if (part.type !== 'placeholder') continue;
    if (part.module === 'rawxml')
      throw broken([{ id: 'raw_xml_tag_should_be_only_text_in_paragraph', xtag: part.value }]);
    if (part.module === 'loop')
      tags.push({
        name: part.value,
        kind: part.inverted ? 'inverted' : 'section',
        children: tagsOf(part.subparsed ?? []),
      });
    else tags.push({ name: part.value, kind: 'value', children: [] });
  }
  return tags;
}

/** The placeholders of every templated part (body, headers, footers, footnotes …), in document order. */
export function templateTags(doc: Docxtemplater<PizZip>): TemplateTag[] {
  const compiled = (doc as unknown as { compiled: Record<string, { postparsed: Part[] }> }).compiled;
  return Object.keys(compiled)
    .sort()
    .flatMap((file) => tagsOf(compiled[file].postparsed));
}

/**
 * The fields the tags use — `customerName`, `lines`, `lines.description` — in first-use order, after
 * checking each against the field list: a name inside `{#lines}` may be a line's field or any top-level
 * field (docxtemplater looks outward); a section over a plain field is a condition (`{#contractNumber}…`).
 * TEMPLATE_UNKNOWN_FIELDS names every placeholder that is not in the list.
 */
export function checkTemplateFields(tags: TemplateTag[]): string[] {
  const used = new Set<string>();
  const unknown = new Set<string>();
  const visit = (list: TemplateTag[], within: keyof typeof TEMPLATE_LIST_FIELDS | null) => {
    for (const tag of list) {
      const rowFields: readonly string[] = within ? TEMPLATE_LIST_FIELDS[within] : [];
      if (within && rowFields.includes(tag.name)) used.add(`${within}.${tag.name}`);
      else if (isTemplateField(tag.name) && (tag.kind !== 'value' || !isListField(tag.name))) used.add(tag.name);
      else unknown.add(tag.kind === 'value' ? `{${tag.name}}` : `{#${tag.name}}`);
      const entersList = tag.kind === 'section' && isListField(tag.name) && !(within && rowFields.includes(tag.name));
      visit(tag.children, entersList ? (tag.name as keyof typeof TEMPLATE_LIST_FIELDS) : within);
    }
  };
  visit(tags, null);
  if (unknown.size > 0)
    throw new AppError(
      'TEMPLATE_UNKNOWN_FIELDS',
      { fields: [...unknown].join(' ') },
      { fields: [...unknown], allowed: TEMPLATE_FIELDS },
    );
  return [...used];
}

/** Reads an uploaded template: a .docx that docxtemplater can parse, using only the field list. Returns the fields it uses. */
export function readTemplate(buffer: Uint8Array): { fields: string[] } {
  return { fields: checkTemplateFields(templateTags(compileTemplate(buffer))) };
}

/** The template filled with the data, as a .docx. */
export function renderTemplate(buffer: Uint8Array, data: TemplateData): Buffer {
  const doc = compileTemplate(buffer);
  try {
    doc.render(data);
  } catch (error) {
    const properties = (error as { properties?: { errors?: { properties?: DocxProblem }[] } }).properties;
    throw broken(properties?.errors?.map((e) => e.properties ?? {}) ?? []);
  }
  return doc.getZip().generate({ type: 'nodebuffer', compression: 'DEFLATE' });
}
