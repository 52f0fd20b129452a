// A minimal MCP Apps host for the browser tests, built on the published host helpers
// (@modelcontextprotocol/ext-apps AppBridge). It renders a ui:// resource in a sandboxed iframe with
// the CSP the resource declares, and hands the view's tools/call requests to the Python test (which
// sends them to the real server with the MCP SDK's client), through `window.callServerTool`.
import { AppBridge, PostMessageTransport } from "@modelcontextprotocol/ext-apps/app-bridge";

function policyFor(csp) {
  // What a host builds from `_meta.ui.csp`: inline script and style, media only from declared origins.
  const media = ["'self'", "data:", "blob:", ...((csp && csp.resourceDomains) || [])].join(" ");
  return `default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src ${media}; media-src ${media}; connect-src 'none'`;
}

window.host = {
  toolCalls: [],
  openedLinks: [],
  async start({ html, csp, theme, variables }) {
    const frame = document.createElement("iframe");
    frame.setAttribute("sandbox", "allow-scripts");
    frame.title = "Kling videos";
    document.getElementById("app").append(frame);
    const bridge = new AppBridge(
      null,
      { name: "kling-mcp test host", version: "1" },
      { serverTools: {}, openLinks: {}, logging: {} },
      { hostContext: { theme, styles: { variables } } },
    );
    bridge.oncalltool = async (params) => {
      window.host.toolCalls.push(params);
      return await window.callServerTool(params);
    };
    bridge.onopenlink = async ({ url }) => {
      window.host.openedLinks.push(url);
      return {};
    };
    bridge.onsizechange = ({ height }) => {
      if (height) frame.style.height = `${Math.min(height, 4000)}px`;
    };
    const ready = new Promise((resolve) => { bridge.oninitialized = resolve; });
    await bridge.connect(new PostMessageTransport(frame.contentWindow, frame.contentWindow));
    const meta = `<meta http-equiv="Content-Security-Policy" content="${policyFor(csp)}">`;
    frame.srcdoc = html.replace("<head>", `<head>${meta}`);
    await ready;
    this.bridge = bridge;
  },
  input(args) { return this.bridge.sendToolInput({ arguments: args }); },
  result(result) { return this.bridge.sendToolResult(result); },
  theme(theme, variables) { this.bridge.setHostContext({ theme, styles: { variables } }); },
};
