import { createServer, type Server, type Socket } from 'node:net'

/**
 * A stand-in for a PostgreSQL server on 127.0.0.1, for what a real one will not do on demand:
 * `silent` accepts connections and never answers (a server or proxy that hangs); `password`
 * asks for a cleartext password and refuses it with SQLSTATE 28P01, quoting it back, as a badly
 * behaved proxy might. (A real server's refusal is tested against one in the postgres package.)
 */
export async function startFakePostgres(behaviour: 'silent' | 'password') {
  const sockets = new Set<Socket>()
  const server: Server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    if (behaviour === 'silent') return
    let buffer = Buffer.alloc(0)
    let startup = true
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk])
      if (startup && buffer.length >= 4 && buffer.length >= buffer.readInt32BE(0)) {
        buffer = buffer.subarray(buffer.readInt32BE(0))
        startup = false
        socket.write(message('R', int32(3))) // AuthenticationCleartextPassword
      }
      if (!startup && buffer.length >= 5 && buffer[0] === 0x70 && buffer.length >= 1 + buffer.readInt32BE(1)) {
        const password = buffer.subarray(5, buffer.readInt32BE(1)).toString('utf8').replace(/\0$/, '')
        const text = `password authentication failed: "${password}" is wrong`
        socket.end(
          message('E', Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', '28P01'), field('M', text), Buffer.from([0])])),
        )
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    port,
    async stop() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A port on 127.0.0.1 that nothing listens on: taken from the system, then given back. */
export async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return typeof address === 'object' && address ? address.port : 1
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32BE(value)
  return buffer
}

function field(code: string, value: string): Buffer {
  return Buffer.concat([Buffer.from(code), Buffer.from(value, 'utf8'), Buffer.from([0])])
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body])
}
