import { createConnection, createServer, type Socket } from 'node:net'

export interface TcpProxyOptions {
  readonly target: { readonly host: string; readonly port: number }
}

export interface TcpProxy {
  readonly port: number
  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string
  /** Connections open now (each a client socket and its server socket). */
  readonly connections: number
  /**
   * From now on, bytes in either direction are read and thrown away; sockets stay open and no
   * FIN or RST is sent, as when a NAT or load balancer forgets a connection. New connections are
   * accepted and go silent too. The proxy's own kernel still acknowledges TCP (and keepalive
   * probes), so only a timeout in the client's protocol notices, not TCP keepalive.
   */
  blackhole(): void
  /** Forwards again; what was thrown away stays lost. */
  resume(): void
  /** Resets every open connection (RST to both ends), as a restarting load balancer does. */
  closeAll(): void
  /** Resets every connection and stops listening. */
  stop(): Promise<void>
}

/** A TCP proxy on 127.0.0.1 and a free port, in this process, in front of `options.target`. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  const clients = new Set<Socket>()
  let silent = false
  const server = createServer((client) => {
    clients.add(client)
    client.on('close', () => clients.delete(client))
    const upstream = createConnection({ host: options.target.host, port: options.target.port })
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from)
      from.on('data', (chunk) => {
        if (!silent) to.write(chunk)
      })
      from.on('end', () => to.end())
      from.on('error', () => to.resetAndDestroy())
      from.on('close', () => {
        sockets.delete(from)
        if (!to.destroyed) to.destroy()
      })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  if (!address || typeof address !== 'object') throw new Error('the proxy has no address')
  const closeAll = () => {
    for (const socket of sockets) socket.resetAndDestroy()
  }
  return {
    port: address.port,
    url(url) {
      const rewritten = new URL(url)
      rewritten.hostname = '127.0.0.1'
      rewritten.port = String(address.port)
      return rewritten.toString()
    },
    get connections() {
      return clients.size
    },
    blackhole() {
      silent = true
    },
    resume() {
      silent = false
    },
    closeAll,
    stop() {
      closeAll()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
