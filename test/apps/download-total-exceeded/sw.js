// Nothing wrong here: the mistake is the page's.
importScripts('../_shared/good-sw.js');
