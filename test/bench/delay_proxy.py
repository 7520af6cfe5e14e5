#!/usr/bin/python3
"""A TCP proxy on loopback that puts a registry DELAY_MS away: a new connection reaches the upstream
DELAY_MS after it was accepted (the TCP handshake's round trip), and every chunk the client sends is
passed on DELAY_MS after it arrived, in order; answers flow back at once. So every request/response
exchange costs one round trip of DELAY_MS, as over a network, without touching HTTP (the registry's
access log still shows the client's own requests and user agent).

test/support/fault_proxy.py's delay= is not used here: it speaks HTTP itself and its writes meet
delayed ACKs, adding tens of milliseconds to every keep-alive request after the first.

usage: delay_proxy.py UPSTREAM_PORT DELAY_MS   (prints its port once it listens; SIGTERM stops it)
"""
import asyncio
import signal
import socket
import sys


def no_delay(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


async def pipe_now(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        writer.close()


async def pipe_delayed(reader, writer, delay):
    """Each chunk is released `delay` seconds after it arrived; a reader task keeps reading meanwhile."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    async def read():
        try:
            while data := await reader.read(65536):
                queue.put_nowait((loop.time() + delay, data))
        except ConnectionError:
            pass
        queue.put_nowait((loop.time() + delay, b""))

    reading = asyncio.create_task(read())
    try:
        while True:
            due, data = await queue.get()
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        reading.cancel()
        writer.close()


async def main(upstream_port, delay):
    async def handle(client_reader, client_writer):
        no_delay(client_writer)
        await asyncio.sleep(delay)  # the connection's handshake round trip
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", upstream_port)
        except OSError:
            client_writer.close()
            return
        no_delay(up_writer)
        await asyncio.gather(pipe_delayed(client_reader, up_writer, delay), pipe_now(up_reader, client_writer))

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), float(sys.argv[2]) / 1000))
