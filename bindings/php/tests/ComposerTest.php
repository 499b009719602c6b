<?php

namespace CookiePay\Tests;

use CookiePay\Tests\Support\Processes;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * The README's Composer install, run as a new user runs it: in a fresh project (no lock file, a
 * composer.json holding only the README's snippet), the README's own command. `composer update
 * cookiepay/cookiepay`, documented before, refuses to run there ("without a lock file present").
 * Packagist is switched off in the test project only: tests run offline, and the package needs
 * nothing from it.
 */
final class ComposerTest extends TestCase
{
    /** @return array [the composer.json snippet, the command line] as the README gives them */
    private static function documented(): array
    {
        $readme = (string) file_get_contents(dirname(__DIR__) . '/README.md');
        $section = substr($readme, (int) strpos($readme, '**With Composer**'));
        self::assertSame(1, preg_match('/```json\n(.*?)```/s', $section, $json), 'the README has the composer.json snippet');
        self::assertSame(1, preg_match('/```sh\n(composer [^\n]*)\n```/', $section, $command), 'the README has the command');
        return [json_decode($json[1], true), $command[1]];
    }

    /** @return array [exit code, stdout, stderr] of the README's command in a fresh project */
    private static function install(string $project, array $phpArgs): array
    {
        [$snippet, $command] = self::documented();
        $snippet['repositories'][0]['url'] = dirname(__DIR__);
        $snippet['repositories'][] = ['packagist.org' => false];
        mkdir($project);
        file_put_contents("$project/composer.json", json_encode($snippet, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES));
        $composer = trim((string) shell_exec('command -v composer'));
        self::assertNotSame('', $composer, 'composer is installed (test.sh installs Debian\'s)');
        $args = array_slice(explode(' ', $command), 1);
        $env = ['PATH' => (string) getenv('PATH'), 'COMPOSER_HOME' => "$project/.composer", 'HOME' => $project];
        return Processes::run(array_merge([PHP_BINARY], $phpArgs, [$composer, '--no-interaction', '--working-dir=' . $project], $args),
            $env, '', 180.0);
    }

    /** vendor/cookiepay/cookiepay links to this binding: unlinked first, never walked into. */
    private static function remove(string $dir): void
    {
        $link = "$dir/shop/vendor/cookiepay/cookiepay";
        if (is_link($link)) {
            unlink($link);
        }
        Sandbox::removeTree($dir);
    }

    public function testTheDocumentedCommandInstallsIntoAFreshProject(): void
    {
        $dir = Sandbox::tempDir('cookiepay-composer');
        try {
            [$code, $out, $err] = self::install("$dir/shop", []);
            $this->assertSame(0, $code, $out . $err);
            $this->assertFileExists("$dir/shop/composer.lock");
            $script = 'require "vendor/autoload.php"; $c = new CookiePay\Client(["backend" => "php", "env" => "sandbox", "api_id" => "a", "api_key" => "k1234"]);'
                . ' echo $c->backend(), "|", CookiePay\Client::parseNoti(\'{"TID":"T1"}\')["kind"];';
            [$code, $out, $err] = Processes::run([PHP_BINARY, '-r', "chdir('$dir/shop'); $script"],
                ['PATH' => (string) getenv('PATH'), 'COOKIEPAY_PHP_BACKEND' => 'php']);
            $this->assertSame([0, 'php|payment'], [$code, $out], $err);
        } finally {
            self::remove($dir);
        }
    }

    /** A PHP without ext-curl hears it from Composer, at install time (composer.json requires it). */
    public function testComposerNamesExtCurlWhenItIsMissing(): void
    {
        $dir = Sandbox::tempDir('cookiepay-composer');
        try {
            // -n: no extension from conf.d; Composer itself needs mbstring or iconv.
            [$code, $out, $err] = self::install("$dir/shop", ['-n', '-d', 'extension=mbstring', '-d', 'extension=iconv']);
            $this->assertNotSame(0, $code, $out . $err);
            $this->assertStringContainsString('requires ext-curl', $out . $err);
        } finally {
            self::remove($dir);
        }
    }
}
