// No mistake: the correct worker, as is.
importScripts('../_shared/good-sw.js');
