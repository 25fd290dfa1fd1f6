// Substituted by the server (.sub. in the name).
self.SUBSTITUTED = {
  host: '{{host}}',
  httpsPort: '{{ports[https][0]}}',
  httpPort2: '{{ports[http][1]}}',
  www1: '{{domains[www1]}}',
  alt: '{{hosts[alt][]}}',
  altWww: '{{hosts[alt][www]}}',
  locationHost: '{{location[host]}}',
  scheme: '{{location[scheme]}}',
  get: '{{GET[word]}}',
};
