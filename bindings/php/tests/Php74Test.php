<?php

namespace CookiePay\Tests;

use CookiePay\Tests\Support\Php74Check;
use CookiePay\Tests\Support\Sandbox;
use PHPUnit\Framework\TestCase;

/**
 * The package promises PHP 7.4 (composer.json), and shared hosts run old PHPs: no file of the binding
 * or the example shop may use syntax or functions newer than 7.4. Only PHP 8.2 is installed here, so
 * the check parses (Support/Php74Check); the second test proves it catches PHP 8 code.
 */
final class Php74Test extends TestCase
{
    public static function setUpBeforeClass(): void
    {
        require_once '/usr/share/php/PhpParser/autoload.php';
        require_once __DIR__ . '/Support/Php74Check.php';
    }

    /** @return string[] the binding's and the example shop's PHP files */
    private static function files(): array
    {
        $root = Sandbox::repoRoot();
        $files = [$root . '/bindings/php/autoload.php', $root . '/bindings/php/preload.php', $root . '/bindings/php/bin/cookiepay-preload-header'];
        foreach ([$root . '/bindings/php/src', $root . '/examples/php'] as $dir) {
            $all = new \RecursiveIteratorIterator(new \RecursiveDirectoryIterator($dir, \FilesystemIterator::SKIP_DOTS));
            foreach ($all as $file) {
                if ($file->getExtension() === 'php') {
                    $files[] = $file->getPathname();
                }
            }
        }
        sort($files);
        return $files;
    }

    public function testEveryFileOfThePackageAndTheShopIsPhp74(): void
    {
        $files = self::files();
        $this->assertGreaterThan(20, count($files));
        $problems = [];
        foreach ($files as $file) {
            $problems = array_merge($problems, Php74Check::check((string) file_get_contents($file), $file));
        }
        $this->assertSame([], $problems, "PHP 8 in code that must run on PHP 7.4:\n" . implode("\n", $problems));
    }

    /** @return array one PHP 8 construct each, and what the check must say */
    public function php8(): array
    {
        return [
            'match' => ['$x = match ($a) { 1 => 2, default => 3 };', 'match'],
            'nullsafe call' => ['$a?->b();', 'nullsafe'],
            'nullsafe property' => ['$b = $a?->b;', 'nullsafe'],
            'named argument' => ['f(name: 1);', 'named argument'],
            'promotion' => ['class A { function __construct(private int $x) {} }', 'promotion'],
            'readonly property' => ['class A { public readonly int $x; }', 'readonly'],
            'union type' => ['function f(int|string $x) {}', 'union type'],
            'intersection type' => ['function f(A&B $x) {}', 'intersection type'],
            'attribute on the code line' => ['#[Pure] function f() {}', 'attribute'],
            'enum' => ['enum Suit { case Hearts; }', 'enum'],
            'mixed' => ['function f(mixed $x) {}', 'type mixed'],
            'static return' => ['class A { function f(): static { return $this; } }', 'static return'],
            'never return' => ['function f(): never { exit; }', 'never return'],
            'first-class callable' => ['$f = strlen(...);', 'first-class callable'],
            'new in initializer' => ['function f($x = new A()) {}', 'new in an initializer'],
            'throw expression' => ['$x = $y ?? throw new E();', 'throw expression'],
            'catch without variable' => ['try {} catch (E) {}', 'catch without a variable'],
            'object::class' => ['$c = $o::class;', '$object::class'],
            'trailing comma in parameters' => ["function f(\$a,\n) {}", 'trailing comma'],
            'str_contains' => ['str_contains($a, $b);', 'str_contains()'],
            'str_starts_with' => ['\\str_starts_with($a, $b);', 'str_starts_with()'],
            'array_is_list' => ['array_is_list($a);', 'array_is_list()'],
            'ValueError' => ['throw new ValueError();', 'ValueError'],
        ];
    }

    /** @dataProvider php8 */
    public function testTheCheckFlagsPhp8Code(string $snippet, string $named): void
    {
        $problems = Php74Check::check("<?php\n" . $snippet . "\n", 'snippet.php');
        $this->assertNotEmpty($problems, "not flagged: $snippet");
        $this->assertStringContainsString($named, implode("\n", $problems));
        $this->assertStringStartsWith('snippet.php:2: ', $problems[0]);
    }

    public function testPhp74CodeAndAnAttributeAloneOnItsLinePass(): void
    {
        $code = "<?php\nfunction f(\n    #[\\SensitiveParameter]\n    array \$a,\n    ?int \$b = null\n): ?array {\n"
            . "    \$f = fn(\$x) => \$x ?? 1;\n    \$a ??= [];\n    return array_map(function (\$v) use (\$b) { return [\$v, \$b,]; }, \$a);\n}\n";
        $this->assertSame([], Php74Check::check($code, 'ok.php'));
    }
}
