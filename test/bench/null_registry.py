#!/usr/bin/python3
"""A registry on loopback that holds nothing, answered fast: GET/HEAD /v2/ is 200 and every other path a
Distribution API 404 (MANIFEST_UNKNOWN). signet turns "no signatures found" into a definitive failure,
which it caches, so admissions naming many distinct digests fill the verdict cache without a real
registry pushing and signing 100,000 images.

usage: null_registry.py PORT   (prints "ready" once it listens; SIGTERM stops it; requests served are
                                printed as "served N" on stderr when it stops)
"""
import asyncio
import signal
import sys

NOT_FOUND = b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}'
served = 0


def answer(status, body, head):
    reason = b"OK" if status == 200 else b"Not Found"
    headers = (b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
               b"Docker-Distribution-Api-Version: registry/2.0\r\n\r\n" % (status, reason, len(body)))
    return headers if head else headers + body


async def handle(reader, writer):
    global served
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line = head.split(b"\r\n", 1)[0].split(b" ")
            method, path = request_line[0], request_line[1]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            if length:
                await reader.readexactly(length)
            served += 1
            if path.split(b"?")[0] == b"/v2/":
                writer.write(answer(200, b"{}", method == b"HEAD"))
            else:
                writer.write(answer(404, NOT_FOUND, method == b"HEAD"))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    print("ready", flush=True)
    async with server:
        await stop.wait()
    print("served %d" % served, file=sys.stderr, flush=True)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
