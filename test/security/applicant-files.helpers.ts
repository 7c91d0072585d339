/**
 * Hostile applicant files made in the test: XLSX zip bombs written as a real zip by hand (a deflate stream of one
 * block repeated, so a 2 GB part costs a few megabytes and no time to make), and Excel-style encoded CSVs.
 */
import { crc32, deflateRawSync, constants } from "node:zlib";

interface ZipPart {
  name: string;
  /** The raw deflate stream and the inflated size and CRC-32 it stands for. */
  deflated: Buffer;
  size: number;
  crc: number;
}

function part(name: string, text: string): ZipPart {
  const data = Buffer.from(text, "utf8");
  return { name, deflated: deflateRawSync(data), size: data.length, crc: crc32(data) };
}

/** A part whose text is `head + body × times + tail`, deflated as independent blocks (full flushes) joined together. */
function repeatedPart(name: string, head: string, body: string, times: number, tail: string): ZipPart {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  const [h, b, t] = [head, body, tail].map((s) => Buffer.from(s, "utf8"));
  const blocks: Buffer[] = [deflateRawSync(h, flush)];
  const bodyBlock = deflateRawSync(b, flush);
  let crc = crc32(h);
  for (let k = 0; k < times; k++) {
    blocks.push(bodyBlock);
    crc = crc32(b, crc);
  }
  blocks.push(deflateRawSync(t));
  crc = crc32(t, crc);
  return { name, deflated: Buffer.concat(blocks), size: h.length + b.length * times + t.length, crc };
}

/** A zip of the parts (deflate, sizes in the local headers), under 4 GB per part. */
function zip(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(p.crc >>> 0, 14);
    local.writeUInt32LE(p.deflated.length, 18);
    local.writeUInt32LE(p.size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, p.deflated);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt32LE(p.crc >>> 0, 16);
    entry.writeUInt32LE(p.deflated.length, 20);
    entry.writeUInt32LE(p.size >>> 0, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += 30 + name.length + p.deflated.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"';
const REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

function workbookParts(): ZipPart[] {
  return [
    part(
      "[Content_Types].xml",
      `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`,
    ),
    part(
      "_rels/.rels",
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ),
    part("xl/workbook.xml", `<?xml version="1.0" encoding="UTF-8"?><workbook ${NS} xmlns:r="${REL_NS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`),
    part(
      "xl/_rels/workbook.xml.rels",
      `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL_NS}/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ),
  ];
}

const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8"?><worksheet ${NS}><sheetData>`;
const SHEET_TAIL = "</sheetData></worksheet>";

/** A small workbook whose shared strings inflate to about `inflatedMiB` MiB (the crash: 4.2 MB → 4.3 GB). */
export function sharedStringsBomb(inflatedMiB = 2048): Buffer {
  const chunk = "A".repeat(1024 * 1024);
  const sheet = part("xl/worksheets/sheet1.xml", `${SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>${SHEET_TAIL}`);
  const strings = repeatedPart("xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst ${NS}><si><t>id</t></si><si><t>`, chunk, inflatedMiB, "</t></si></sst>");
  return zip([...workbookParts(), strings, sheet]);
}

/** A workbook whose sheet repeats one row of cells until it inflates to about `inflatedMiB` MiB. */
export function worksheetBomb(inflatedMiB = 2048): Buffer {
  // Cells beside the header's one column: rows that are not blank, and no error to stop at before the limit.
  const row = `<row r="2"><c r="B2" t="inlineStr"><is><t>x</t></is></c><c r="C2"><v>1</v></c></row>`;
  const body = row.repeat(Math.floor((1024 * 1024) / row.length));
  const strings = part("xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst ${NS}><si><t>id</t></si></sst>`);
  const sheet = repeatedPart("xl/worksheets/sheet1.xml", `${SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c></row>`, body, inflatedMiB, SHEET_TAIL);
  return zip([...workbookParts(), strings, sheet]);
}

/** A workbook with one shared string of `chars` characters (the 263 KB file holding a 256 MiB string). */
export function longStringWorkbook(chars: number): Buffer {
  const strings = repeatedPart("xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst ${NS}><si><t>id</t></si><si><t>`, "B".repeat(1024), Math.ceil(chars / 1024), "</t></si></sst>");
  const sheet = part("xl/worksheets/sheet1.xml", `${SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>${SHEET_TAIL}`);
  return zip([...workbookParts(), strings, sheet]);
}

/** A small honest workbook in the same hand-written form (to show the reader accepts what it is made of). */
export function plainWorkbook(): Buffer {
  const strings = part("xl/sharedStrings.xml", `<?xml version="1.0" encoding="UTF-8"?><sst ${NS}><si><t>id</t></si><si><t>A1</t></si></sst>`);
  const sheet = part("xl/worksheets/sheet1.xml", `${SHEET_HEAD}<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2"><c r="A2" t="s"><v>1</v></c></row>${SHEET_TAIL}`);
  return zip([...workbookParts(), strings, sheet]);
}

let gbkTable: Map<string, Buffer> | undefined;

/**
 * Text encoded in GBK, as Excel on Chinese Windows saves a CSV. Node has no GBK encoder, so the table is ICU's GBK
 * decoder read backwards (every two-byte code decoded once): an independent path from the reader's.
 */
export function encodeGbk(text: string): Buffer {
  if (!gbkTable) {
    gbkTable = new Map();
    const decoder = new TextDecoder("gbk", { fatal: true });
    for (let lead = 0x81; lead <= 0xfe; lead++) {
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        try {
          const char = decoder.decode(Uint8Array.of(lead, trail));
          if (!gbkTable.has(char)) gbkTable.set(char, Buffer.of(lead, trail));
        } catch {
          // Not a GBK code.
        }
      }
    }
  }
  const table = gbkTable;
  return Buffer.concat(
    [...text].map((char) => {
      if (char.charCodeAt(0) < 0x80) return Buffer.from(char, "latin1");
      const bytes = table.get(char);
      if (!bytes) throw new Error(`no GBK code for ${char}`);
      return bytes;
    }),
  );
}

/** UTF-16 with its byte-order mark, as Excel's "Unicode text" is saved (little-endian) or big-endian. */
export function encodeUtf16(text: string, endian: "le" | "be" = "le"): Buffer {
  const le = Buffer.concat([Buffer.of(0xff, 0xfe), Buffer.from(text, "utf16le")]);
  if (endian === "le") return le;
  const be = Buffer.from(le);
  be.swap16();
  return be;
}
