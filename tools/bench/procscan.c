/* procscan.c - the floor `zreaper zombies` is measured against in `make bench`: the least a
 * zombie scan must do, a readdir of /proc and one read of each process's stat file, nothing
 * else. Prints "PROCESSES ZOMBIES" (the state letter is the only field looked at).
 *   procscan [ROOT]   ROOT: the procfs mount (default /proc)
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "/proc";
	unsigned long procs = 0, zombies = 0;
	char path[PATH_MAX], buf[1024];
	struct dirent *e;
	DIR *d = opendir(root);

	if (!d) {
		perror(root);
		return 1;
	}
	while ((e = readdir(d))) {
		const char *close_p;
		ssize_t n;
		int fd;

		if (!isdigit((unsigned char)e->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "%s/%s/stat", root, e->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		procs++;
		close_p = strrchr(buf, ')');
		if (close_p && close_p[1] == ' ' && close_p[2] == 'Z')
			zombies++;
	}
	closedir(d);
	printf("%lu %lu\n", procs, zombies);
	return 0;
}
