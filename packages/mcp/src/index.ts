/** `@ym-chats/mcp`: a Model Context Protocol server for buyer chats (`ym-chats mcp`). */
export const MCP_PACKAGE = '@ym-chats/mcp';
