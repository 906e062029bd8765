// The third-party code the browser app uses, bundled by esbuild into lib/vendor.js (an ES module).
// Built by `npm run build`, which the server's MSBuild step runs when lib/vendor.js is out of date.
export { EditorView, basicSetup } from 'codemirror';
export { EditorState, StateField, StateEffect, Annotation, Transaction, Text, ChangeSet, Compartment } from '@codemirror/state';
export { Decoration, WidgetType, keymap } from '@codemirror/view';
export { undo, redo, isolateHistory } from '@codemirror/commands';
export { HubConnectionBuilder, HubConnectionState, HttpTransportType, LogLevel } from '@microsoft/signalr';
export { MessagePackHubProtocol } from '@microsoft/signalr-protocol-msgpack';
