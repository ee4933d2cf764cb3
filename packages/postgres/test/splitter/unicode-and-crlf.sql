SELECT 'café 😀;';
SELECT '日本';
