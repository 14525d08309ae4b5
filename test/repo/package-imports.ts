import { builtinModules } from 'node:module';
import ts from 'typescript';

// The packages a source file imports, read with TypeScript's parser rather than a regex, so that
// comments, strings and type-only imports are told apart from what runs.

export interface PackageImport {
  /** The package: `@scope/name` or `name`, without a subpath. */
  name: string;
  specifier: string;
  /** Erased at run time: `import type`, `export type`, `typeof import()`, declaration files. */
  typeOnly: boolean;
  line: number;
}

const builtins = new Set(builtinModules);

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; undefined for relative paths and builtins. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('#') || specifier.startsWith('node:')) return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? '');
  return builtins.has(name) ? undefined : name;
}

/** The `@types` package that describes `name` (`@scope/x` → `@types/scope__x`). */
export const typesPackageOf = (name: string): string => `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`;

export function packageImports(fileName: string, text: string): PackageImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const declarationFile = fileName.endsWith('.d.ts');
  const found: PackageImport[] = [];
  const add = (literal: ts.Node, specifier: string, typeOnly: boolean): void => {
    const name = packageOf(specifier);
    if (name === undefined) return;
    found.push({ name, specifier, typeOnly: typeOnly || declarationFile, line: source.getLineAndCharacterOfPosition(literal.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier, node.moduleSpecifier.text, node.importClause?.isTypeOnly === true);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier, node.moduleSpecifier.text, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node.moduleReference.expression, node.moduleReference.expression.text, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal, node.argument.literal.text, true);
    } else if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const [first] = node.arguments;
      const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === 'require';
      if ((isImport || isRequire) && first !== undefined && ts.isStringLiteralLike(first)) add(first, first.text, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const ref of source.typeReferenceDirectives) {
    const name = packageOf(ref.fileName);
    if (name !== undefined) found.push({ name, specifier: ref.fileName, typeOnly: true, line: source.getLineAndCharacterOfPosition(ref.pos).line + 1 });
  }
  return found;
}
