import { createConnection, createServer, type Socket } from 'node:net'

export interface TcpProxyOptions {
  readonly target: { readonly host: string; readonly port: number }
  /** The port to listen on; default: a free one. A test that needs a server to appear on a known port later names it. */
  readonly port?: number
}

/** One client connection through the proxy. */
export interface ProxiedConnection {
  /** The client's own port, as the client sees it (`socket.localPort`). */
  readonly clientPort: number
  /** The port of the proxy's socket to the server: what PostgreSQL reports as `inet_client_port()` / `client_port`. */
  readonly serverSidePort: number
}

export interface TcpProxy {
  readonly port: number
  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string
  /** Connections open now (at least one end of each still open). */
  readonly connections: readonly ProxiedConnection[]
  /**
   * From now on, bytes in either direction are read and thrown away; sockets stay open and no
   * FIN or RST is sent, as when a NAT or load balancer forgets a connection. Without `which`, every
   * connection goes silent, and so do new ones; with it, only the open connections it picks.
   * The proxy's own kernel still acknowledges TCP (and keepalive probes) on both sides, so only
   * a timeout in the client's or the server's protocol notices, not TCP keepalive.
   */
  blackhole(which?: (connection: ProxiedConnection) => boolean): void
  /** Forwards again on every connection; what was thrown away stays lost. */
  resume(): void
  /** Resets every open connection (RST to both ends), as a restarting load balancer does. */
  closeAll(): void
  /** Resets the open connections `which` picks, and leaves the others open. */
  close(which: (connection: ProxiedConnection) => boolean): void
  /** Resets every connection and stops listening. */
  stop(): Promise<void>
}

interface Pair extends ProxiedConnection {
  readonly client: Socket
  readonly upstream: Socket
  silent: boolean
}

/** A TCP proxy on 127.0.0.1 and a free port (or `options.port`), in this process, in front of `options.target`. */
export async function startTcpProxy(options: TcpProxyOptions): Promise<TcpProxy> {
  const pairs = new Set<Pair>()
  let silentForAll = false
  const server = createServer((client) => {
    const upstream = createConnection({ host: options.target.host, port: options.target.port })
    const pair: Pair = {
      client,
      upstream,
      silent: silentForAll,
      clientPort: client.remotePort ?? 0,
      get serverSidePort() {
        return upstream.localPort ?? 0
      },
    }
    pairs.add(pair)
    // A connection gone silent passes on no close either: its other end stays open, as behind
    // a NAT that forgot it, until closeAll() or stop().
    const forwarding = () => !pair.silent && !silentForAll
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      from.on('data', (chunk) => {
        if (forwarding()) to.write(chunk)
      })
      from.on('end', () => {
        if (forwarding()) to.end()
      })
      from.on('error', () => {
        if (forwarding()) to.resetAndDestroy()
      })
      from.on('close', () => {
        if (forwarding() && !to.destroyed) to.destroy()
        if (client.destroyed && upstream.destroyed) pairs.delete(pair)
      })
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', resolve)
  })
  const address = server.address()
  if (!address || typeof address !== 'object') throw new Error('the proxy has no address')
  const close = (which: (connection: ProxiedConnection) => boolean) => {
    for (const pair of pairs) {
      if (!which(pair)) continue
      pair.client.resetAndDestroy()
      pair.upstream.resetAndDestroy()
    }
  }
  const closeAll = () => close(() => true)
  return {
    port: address.port,
    url(url) {
      const rewritten = new URL(url)
      rewritten.hostname = '127.0.0.1'
      rewritten.port = String(address.port)
      return rewritten.toString()
    },
    get connections() {
      return [...pairs].map(({ clientPort, serverSidePort }) => ({ clientPort, serverSidePort }))
    },
    blackhole(which) {
      if (!which) silentForAll = true
      for (const pair of pairs) if (!which || which(pair)) pair.silent = true
    },
    resume() {
      silentForAll = false
      for (const pair of pairs) pair.silent = false
    },
    closeAll,
    close,
    stop() {
      closeAll()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}
