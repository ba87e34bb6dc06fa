/**
 * Size limits of hand-written TypeScript (the structure rule of docs/architecture.md): no file over
 * 450 lines, no function over 80 lines. Generated code (`src/gen/`) is exempt.
 *
 *   npm run check:size            fails (exit 1) on a file over the limit, lists long functions too
 *   npm run check:size -- --report   lists both and always exits 0
 *
 * Functions are measured by the TypeScript parser (declarations, methods, arrows and function
 * expressions, from their first to their last line). A function that holds a nested one is measured
 * whole, so a long factory of small closures still counts as long: split it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import ts from 'typescript';

export const MAX_FILE_LINES = 450;
export const MAX_FUNCTION_LINES = 80;

interface Finding {
  readonly file: string;
  readonly lines: number;
  readonly name?: string;
  readonly line?: number;
}

function sourceFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts'], {
    encoding: 'utf8',
  });
  return out
    .split('\n')
    .filter((f) => f !== '' && !f.includes('/gen/') && !f.endsWith('.d.ts') && !f.includes('node_modules/'))
    .filter((f) => existsSync(f)); // deleted in the working tree but still in the index
}

function functionName(node: ts.Node, source: ts.SourceFile): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name) {
    return node.name.getText(source);
  }
  const parent = node.parent;
  if (
    ts.isVariableDeclaration(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isPropertyDeclaration(parent)
  ) {
    return parent.name.getText(source);
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText(source).slice(0, 40)})`;
  return '(anonymous)';
}

function longFunctions(file: string, text: string): Finding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (
      ts.isFunctionDeclaration(node) ||
      ts.isMethodDeclaration(node) ||
      ts.isArrowFunction(node) ||
      ts.isFunctionExpression(node) ||
      ts.isConstructorDeclaration(node)
    ) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) {
        found.push({ file, lines, name: functionName(node, source), line: start + 1 });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Test files' `describe`/`it` callbacks are containers of cases, not functions to split. */
function isTestContainer(finding: Finding): boolean {
  return /\.test\.ts$/.test(finding.file) && /^\(callback of (describe|it|test)\b/.test(finding.name ?? '');
}

function main(): void {
  const report = process.argv.includes('--report');
  const longFiles: Finding[] = [];
  const functions: Finding[] = [];
  for (const file of sourceFiles()) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > MAX_FILE_LINES) longFiles.push({ file, lines });
    functions.push(...longFunctions(file, text).filter((f) => !isTestContainer(f)));
  }
  for (const f of longFiles.sort((a, b) => b.lines - a.lines)) {
    console.log(`file over ${MAX_FILE_LINES} lines: ${f.file} (${f.lines})`);
  }
  for (const f of functions.sort((a, b) => b.lines - a.lines)) {
    console.log(`function over ${MAX_FUNCTION_LINES} lines: ${f.file}:${f.line} ${f.name} (${f.lines})`);
  }
  console.log(
    `${longFiles.length} files over ${MAX_FILE_LINES} lines, ${functions.length} functions over ${MAX_FUNCTION_LINES}`,
  );
  if (!report && longFiles.length > 0) process.exitCode = 1;
}

main();
