// The correct worker: the page is the hostile one.
importScripts('../_shared/good-sw.js');
