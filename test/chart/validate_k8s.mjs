// Validates Kubernetes objects (a JSON array on stdin) against the schemas of their apiVersion and kind,
// offline: the OpenAPI schemas of Kubernetes, cert-manager and prometheus-operator as the npm packages
// kubernetes-models, @kubernetes-models/cert-manager and @kubernetes-models/prometheus-operator compile
// them (types, required fields, enums, formats). Those validators let unknown fields through, as the API
// server's non-strict decoding would; a misspelt field (readOnlyRootFS) is a silent no-op in a cluster,
// so this also refuses any field the packages' type declarations do not name, like `kubectl
// --validate=strict`. An object whose apiVersion/kind has no schema here is an error, never a pass.
//
// Prints one line per object and exits 1 when any is invalid.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const modules = join(dirname(fileURLToPath(import.meta.url)), "node_modules");

function packageFor(group) {
  if (group === "cert-manager.io") return "@kubernetes-models/cert-manager/cert-manager.io";
  if (group === "monitoring.coreos.com") return "@kubernetes-models/prometheus-operator/monitoring.coreos.com";
  return group ? `kubernetes-models/${group}` : "kubernetes-models";
}

function modelPath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return `${packageFor(group)}/${version}/${kind}`;
}

// --- The type declarations, read as a tree of fields -----------------------------------------------

const declarations = new Map(); // .d.ts path -> { fields, imports } of its first interface

function splitTopLevel(text, separator) {
  const parts = [];
  let depth = 0, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "{" || c === "<" || c === "(") depth++;
    else if (c === "}" || c === ">" || c === ")") depth--;
    else if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p);
}

// A type: { object: Map(field -> type) } | { map: type } | { array: type } | { ref: name } | { any }.
function parseType(text) {
  text = text.trim();
  if (text.startsWith("Array<") && text.endsWith(">")) return { array: parseType(text.slice(6, -1)) };
  if (text.startsWith("{") && text.endsWith("}")) {
    const body = text.slice(1, -1);
    const fields = new Map();
    for (const member of splitTopLevel(body, ";")) {
      const index = member.match(/^\[key: string\]:\s*([\s\S]*)$/);
      if (index) return { map: parseType(index[1]) };
      const field = member.match(/^"?([^"?:]+)"?\??:\s*([\s\S]*)$/);
      if (field) fields.set(field[1], parseType(field[2]));
    }
    return { object: fields };
  }
  if (/^I[A-Za-z0-9]+$/.test(text)) return { ref: text };
  return { any: true };
}

function declaration(file) {
  if (declarations.has(file)) return declarations.get(file);
  const source = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
  const imports = new Map();
  for (const m of source.matchAll(/import \{([^}]*)\} from "([^"]+)";/g)) {
    for (const name of m[1].split(",").map((n) => n.trim().split(/\s+as\s+/).pop())) imports.set(name, m[2]);
  }
  const header = source.match(/export interface \w+(?: extends ([^{]+))?\s*\{/);
  let type = { any: true };
  let bases = [];
  if (header) {
    bases = (header[1] ?? "").split(",").map((b) => b.trim()).filter((b) => b && b !== "TypeMeta");
    const open = header.index + header[0].length - 1;
    let depth = 0, end = open;
    for (; end < source.length; end++) {
      if (source[end] === "{") depth++;
      else if (source[end] === "}" && --depth === 0) break;
    }
    type = parseType(source.slice(open, end + 1));
  }
  const result = { type, file, imports, bases };
  declarations.set(file, result);
  return result;
}

function resolveRef(from, name) {
  const target = from.imports.get(name);
  if (!target) return null;
  let path = target.startsWith(".") ? join(dirname(from.file), target) : join(modules, target);
  path = path.replace(/\.js$/, "") + ".d.ts";
  return existsSync(path) ? declaration(path) : null;
}

function unknownFields(value, type, where, context, out) {
  if (value === null || typeof value !== "object" || type.any) return;
  if (type.ref) {
    const target = resolveRef(context, type.ref);
    if (target) checkDeclaration(value, target, where, out);
    return;
  }
  if (type.array) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, type.array, `${where}[${i}]`, context, out));
    return;
  }
  if (type.map) {
    for (const [k, v] of Object.entries(value)) unknownFields(v, type.map, `${where}.${k}`, context, out);
    return;
  }
  if (type.object && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (!type.object.has(k)) out.push(`${where}.${k}: unknown field`);
      else unknownFields(v, type.object.get(k), `${where}.${k}`, context, out);
    }
  }
}

// A declared interface with the fields of the interfaces it extends (each checked in its own file).
function checkDeclaration(value, decl, where, out) {
  const owners = [];
  const collect = (d) => {
    owners.push(d);
    for (const base of d.bases ?? []) {
      const b = resolveRef(d, base);
      if (b) collect(b);
    }
  };
  collect(decl);
  if (owners.some((d) => !d.type.object) || Array.isArray(value) || value === null || typeof value !== "object") {
    if (owners.length === 1) unknownFields(value, decl.type, where, decl, out);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const owner = owners.find((d) => d.type.object.has(k));
    if (!owner) out.push(`${where}.${k}: unknown field`);
    else unknownFields(v, owner.type.object.get(k), `${where}.${k}`, owner, out);
  }
}

// --- Each object --------------------------------------------------------------------------------------

const objects = JSON.parse(readFileSync(0, "utf8"));
let invalid = 0;
for (const object of objects) {
  const name = `${object.apiVersion}/${object.kind} ${object.metadata?.name ?? "(no name)"}`;
  const path = modelPath(object.apiVersion ?? "", object.kind ?? "");
  const problems = [];
  const typeFile = join(modules, path + ".d.ts");
  if (!existsSync(typeFile)) {
    problems.push(`no schema for ${object.apiVersion} ${object.kind} (looked for ${path})`);
  } else {
    const module = await import(path);
    try {
      new module[object.kind](object).validate();
    } catch (error) {
      for (const e of error.errors ?? [{ instancePath: "", message: error.message }])
        problems.push(`${e.instancePath || "/"}: ${e.message}${e.params?.allowedValues ? " " + JSON.stringify(e.params.allowedValues) : ""}`);
    }
    checkDeclaration(object, declaration(typeFile), "", problems);
  }
  if (problems.length) {
    invalid++;
    console.log(`INVALID ${name}\n  ${problems.join("\n  ")}`);
  } else {
    console.log(`valid   ${name}`);
  }
}
process.exit(invalid ? 1 : 0);
