<?php
// A one-shot HTTP server for the User-Agent test: writes its port to argv[1], accepts one request,
// writes the request head to argv[2] and answers 500 (so the client gives up at once).
$server = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr);
if ($server === false) {
    fwrite(STDERR, "listen: $errstr\n");
    exit(1);
}
$name = (string) stream_socket_get_name($server, false);
file_put_contents($argv[1] . '.tmp', substr($name, strrpos($name, ':') + 1));
rename($argv[1] . '.tmp', $argv[1]);
$conn = stream_socket_accept($server, 20);
if ($conn === false) {
    exit(2);
}
$head = '';
while (strpos($head, "\r\n\r\n") === false && !feof($conn)) {
    $head .= (string) fread($conn, 8192);
}
file_put_contents($argv[2], $head);
fwrite($conn, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope");
fclose($conn);
