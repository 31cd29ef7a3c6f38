import { BlockList, isIP } from 'node:net';

/**
 * The proxy Go's net/http (and so kubectl) would use for `url` when the kubeconfig sets no proxy-url:
 * HTTPS_PROXY for https, HTTP_PROXY for http (either case), unless NO_PROXY matches the host. Loopback
 * addresses and `localhost` are never proxied, as in Go.
 */
export function proxyFromEnv(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const proxy = url.protocol === 'https:' ? env.HTTPS_PROXY || env.https_proxy : env.HTTP_PROXY || env.http_proxy;
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || isLoopback(host)) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const noProxy = (env.NO_PROXY || env.no_proxy || '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  if (noProxy.some((entry) => matchesNoProxy(entry, host, port))) return undefined;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`;
}

function matchesNoProxy(entry: string, host: string, port: string): boolean {
  if (entry === '*') return true;
  if (entry.includes('/')) {
    // CIDR: matches IP hosts inside the range.
    const [net, bits] = entry.split('/');
    const family = isIP(net);
    if (!family || isIP(host) !== family) return false;
    const list = new BlockList();
    list.addSubnet(net, Number(bits), family === 6 ? 'ipv6' : 'ipv4');
    return list.check(host, family === 6 ? 'ipv6' : 'ipv4');
  }
  let name = entry;
  const portMatch = /^(.*):(\d+)$/.exec(entry);
  if (portMatch && !isIP(entry)) {
    if (portMatch[2] !== port) return false;
    name = portMatch[1];
  }
  name = name.replace(/^\[|\]$/g, '');
  if (isIP(name)) return name === host;
  // `example.com` and `.example.com` both match the domain and its subdomains, as in Go.
  const domain = name.replace(/^\*?\./, '');
  return host === domain || host.endsWith('.' + domain);
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1';
  return false;
}
