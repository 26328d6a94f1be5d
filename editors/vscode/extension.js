// Starts `regula lsp` for .policy files (stdio).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("regula").get("path") || "regula";
  client = new LanguageClient(
    "regula",
    "regula",
    { command, args: ["lsp"] },
    { documentSelector: [{ scheme: "file", language: "regula" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
